import type { ServerResponse } from 'node:http';
import type { L2popRuntime } from '../runtime';

/**
 * One server-sent-events stream of a host's changes. Each message is a change
 * document (a delta, or a snapshot with `resync: true`) whose SSE `id` is its
 * revision, so a client that reconnects with Last-Event-ID resumes exactly there.
 * Woken by the projection's after-commit hook for this host only, or by the
 * runtime's revision poller for commits made in another process.
 */
export class WatchSession {
  private busy = false;
  private again = false;
  private closed = false;
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly runtime: L2popRuntime,
    private readonly host: string,
    private last: string | null,
    private readonly res: ServerResponse,
  ) {}

  start(): void {
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // Reconnect within a second after a server restart (the EventSource default is 3 s).
    this.res.write('retry: 1000\n\n');
    this.cleanups.push(this.runtime.hub.subscribe(this.host, () => this.pump()));
    this.cleanups.push(this.runtime.track(() => this.close()));
    // Commits made by another process reach the hub through the runtime's revision poller.
    const timer = setInterval(() => this.res.write(': keep-alive\n\n'), this.runtime.pollMs);
    this.cleanups.push(() => clearInterval(timer));
    this.pump();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.cleanups.splice(0)) c();
    this.res.end();
  }

  /** Serialises sends: wake-ups during a send coalesce into one more send. */
  private pump(): void {
    if (this.closed) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.send()
      .catch(() => this.close())
      .finally(() => {
        this.busy = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async send(): Promise<void> {
    const doc = await this.runtime.queries.changes(this.host, this.last);
    if (this.closed || (!doc.resync && doc.revision === this.last)) return;
    this.res.write(`id: ${doc.revision}\ndata: ${JSON.stringify(doc)}\n\n`);
    this.last = doc.revision;
    this.runtime.poller.seen(this.host, doc.revision);
  }
}
