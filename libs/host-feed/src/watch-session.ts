import type { ServerResponse } from 'node:http';

/** What a session needs of its feed. */
interface WatchedFeed {
  readonly hub: { subscribe(host: string, listener: () => void): () => void };
  readonly poller: { seen(host: string, revision: string): void };
  nextChanges(host: string, since: string | null, format?: string): Promise<{ revision: string; resync?: boolean }>;
  track(close: () => void): () => void;
}

/**
 * One server-sent-events stream of a host's changes. Each message is a change
 * document (a delta, or a snapshot with `resync: true`) whose SSE `id` is its
 * revision, so a client that reconnects with Last-Event-ID resumes exactly
 * there. The first message says where the host stands (the changes since the
 * client's revision, possibly none); after that only documents that move the
 * revision are sent. Woken by its feed's hub for this host only.
 */
export class WatchSession {
  private busy = false;
  private again = false;
  private closed = false;
  private first = true;
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly feed: WatchedFeed,
    private readonly host: string,
    private last: string | null,
    private readonly res: ServerResponse,
    private readonly options: { event?: string; keepAliveMs: number; format?: string },
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
    this.cleanups.push(this.feed.hub.subscribe(this.host, () => this.pump()));
    this.cleanups.push(this.feed.track(() => this.close()));
    // A comment now and then keeps proxies and load balancers from closing an idle stream.
    const timer = setInterval(() => this.res.write(': keep-alive\n\n'), this.options.keepAliveMs);
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
    const doc = await this.feed.nextChanges(this.host, this.last, this.options.format);
    if (this.closed || (!this.first && !doc.resync && doc.revision === this.last)) return;
    const event = this.options.event ? `event: ${this.options.event}\n` : '';
    this.res.write(`id: ${doc.revision}\n${event}data: ${JSON.stringify(doc)}\n\n`);
    this.first = false;
    this.last = doc.revision;
    this.feed.poller.seen(this.host, doc.revision);
  }
}
