export type HostListener = (revision: string) => void;

/**
 * Per-host subscriber sets: a committed batch wakes only the watchers of the
 * hosts whose documents it changed (a router failing over reaches the hosts
 * that run it, nobody else).
 */
export class HostHub {
  private readonly listeners = new Map<string, Set<HostListener>>();

  subscribe(host: string, listener: HostListener): () => void {
    let set = this.listeners.get(host);
    if (!set) this.listeners.set(host, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0 && this.listeners.get(host) === set) this.listeners.delete(host);
    };
  }

  notify(changed: ReadonlyMap<string, string>): void {
    for (const [host, revision] of changed) {
      for (const listener of this.listeners.get(host) ?? []) {
        try {
          listener(revision);
        } catch {
          // One broken watcher must not keep the others (or the projector) from running.
        }
      }
    }
  }

  subscriberCount(host: string): number {
    return this.listeners.get(host)?.size ?? 0;
  }
}
