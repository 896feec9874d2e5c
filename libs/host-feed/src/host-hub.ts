export type HostListener = (revision: string) => void;

/**
 * Per-host subscriber sets, shared by the L2 and L3 agent read models. A
 * committed batch wakes only the listeners of the hosts whose rows it changed:
 * a port going up on a network present on 3 of 100 hosts reaches those hosts'
 * watchers and nobody else's; a router failing over reaches the hosts running it.
 */
export class HostHub {
  private readonly listeners = new Map<string, Set<HostListener>>();
  private readonly taps = new Set<(host: string, revision: string) => void>();

  subscribe(host: string, listener: HostListener): () => void {
    let set = this.listeners.get(host);
    if (!set) this.listeners.set(host, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(host) === set) this.listeners.delete(host);
    };
  }

  /** Observes every notification (metrics, tests). */
  tap(fn: (host: string, revision: string) => void): () => void {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }

  notify(changed: ReadonlyMap<string, string>): void {
    for (const [host, revision] of changed) {
      for (const tap of this.taps) tap(host, revision);
      for (const listener of this.listeners.get(host) ?? []) {
        try {
          listener(revision);
        } catch {
          // One broken watcher must not keep the others (or the projector) from running.
        }
      }
    }
  }

  /** The hosts with at least one listener. */
  hosts(): string[] {
    return [...this.listeners.keys()];
  }

  subscriberCount(host?: string): number {
    if (host !== undefined) return this.listeners.get(host)?.size ?? 0;
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
