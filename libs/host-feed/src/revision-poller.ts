import type { HostHub } from './host-hub';

/**
 * The backstop for watch streams when commits happen in another process (a
 * standalone projector beside the API, or another instance whose notification
 * was lost): one timer per process re-reads the revisions of every watched host
 * in a few queries, and wakes the watchers of the hosts whose revision moved.
 * Per-stream timers would each query the database: with 10,000 agents that is
 * thousands of queries per second while nothing changes.
 */
export class RevisionPoller {
  /** The revision each watched host was last woken (or notified) at. */
  private readonly known = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private untap: (() => void) | null = null;
  private running = false;

  constructor(
    private readonly hub: HostHub,
    /** The current revisions of these hosts. */
    private readonly read: (hosts: string[]) => Promise<Map<string, string>>,
    private readonly pollMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    // Local commits wake their hosts through the hub already: no need to again.
    this.untap = this.hub.tap((host, revision) => this.known.set(host, revision));
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  /** A watcher has sent its host's document at `revision`: no need to wake it for that one. */
  seen(host: string, revision: string): void {
    this.known.set(host, revision);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.untap?.();
  }

  /** One round: wakes the hosts whose revision differs from the last one seen (or was never seen). */
  async poll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const watched = this.hub.hosts();
      const keep = new Set(watched);
      for (const host of this.known.keys()) if (!keep.has(host)) this.known.delete(host);
      if (watched.length === 0) return;
      const moved = new Map<string, string>();
      for (const [host, revision] of await this.read(watched)) {
        // A host no watcher reported yet is woken too: its stream may have started before a change.
        if (this.known.get(host) !== revision) moved.set(host, revision);
        this.known.set(host, revision);
      }
      if (moved.size > 0) this.hub.notify(moved);
    } catch {
      // A failed round (database restarting) is retried by the next one.
    } finally {
      this.running = false;
    }
  }
}
