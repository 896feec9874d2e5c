import { randomUUID } from 'node:crypto';
import { Client, type Notification } from 'pg';
import type { Logger } from 'pino';
import type { HostHub } from './host-hub';

/** NOTIFY payloads are capped at 8000 bytes by PostgreSQL: stay well under it. */
const MAX_PAYLOAD = 7_000;

/**
 * Wakes watch streams on every instance of a projector group when any instance
 * commits (distributed mode). Each instance's projection notifies its own HostHub
 * after a commit; this forwards those (host, revision) pairs over PostgreSQL
 * NOTIFY on a channel per read model, and feeds what other instances send into
 * the local hub. Only a wake-up travels: the watcher then reads the shared model,
 * so a lost notification costs latency, never correctness (the watchers' poll,
 * CP_WATCH_POLL_MS, is the backstop while this reconnects).
 */
export class PgHostFeed {
  private readonly self = randomUUID();
  private client: Client | null = null;
  private pending = new Map<string, string>();
  private flushing = false;
  private relaying = false;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private untap: (() => void) | null = null;

  constructor(
    private readonly url: string,
    /** One channel per read model and schema: `controlplane_<projection>_<schema>`. */
    readonly channel: string,
    private readonly hub: HostHub,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.untap = this.hub.tap((host, revision) => {
      if (this.relaying) return; // came from another instance: do not echo it back
      this.pending.set(host, revision);
      if (!this.flushing) queueMicrotask(() => void this.flush());
    });
    void this.connect(1);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.untap?.();
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.url, application_name: `controlplane-feed ${this.channel}`.slice(0, 63) });
    client.on('notification', (n) => this.receive(n));
    // Only a connection in use is "lost"; failures while connecting go to the catch below.
    client.on('error', (err) => this.client === client && this.lost(client, err));
    client.on('end', () => this.client === client && this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.stopped) return void client.end().catch(() => undefined);
      this.client = client;
      if (attempt > 1) this.log.info({ channel: this.channel }, 'host feed reconnected');
    } catch (err) {
      await client.end().catch(() => undefined);
      this.lost(client, err as Error, attempt);
    }
  }

  private lost(client: Client, err: Error, attempt = 1): void {
    if (this.stopped) return;
    if (this.client === client) this.client = null;
    if (this.retry) return;
    const delay = Math.min(5_000, 250 * 2 ** Math.min(attempt, 5));
    this.log.warn({ error: err.message, channel: this.channel, retryInMs: delay }, 'host feed disconnected; watchers poll meanwhile');
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect(attempt + 1);
    }, delay);
  }

  private receive(n: Notification): void {
    if (n.channel !== this.channel || !n.payload) return;
    try {
      const msg = JSON.parse(n.payload) as { from: string; hosts: Record<string, string> };
      if (msg.from === this.self) return;
      this.relaying = true;
      this.hub.notify(new Map(Object.entries(msg.hosts)));
    } catch (err) {
      this.log.warn({ error: (err as Error).message }, 'host feed: unreadable notification');
    } finally {
      this.relaying = false;
    }
  }

  /** Sends what this instance committed, in as few notifications as fit. */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.size > 0 && this.client) {
        const batch: Record<string, string> = {};
        let size = 64;
        for (const [host, rev] of this.pending) {
          size += host.length + rev.length + 8;
          if (size > MAX_PAYLOAD && Object.keys(batch).length > 0) break;
          batch[host] = rev;
          this.pending.delete(host);
        }
        await this.client.query('SELECT pg_notify($1, $2)', [this.channel, JSON.stringify({ from: this.self, hosts: batch })]);
      }
    } catch (err) {
      this.log.warn({ error: (err as Error).message }, 'host feed: notify failed; other instances poll');
    } finally {
      this.flushing = false;
      // Without a connection, other instances' watchers poll: drop what could not be sent.
      if (!this.client) this.pending.clear();
    }
  }
}
