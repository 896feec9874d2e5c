import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database, Tx } from '@cp/store';
import { ChangeBatcher, type ChangeAsk } from './change-batcher';
import type { FeedClock } from './feed-clock';
import { HostHub } from './host-hub';
import { RevisionPoller } from './revision-poller';
import { deltaFrom, formatRevision, sameState, type HostState } from './revisions';
import { WatchSession } from './watch-session';

/** How one read model assembles a host's documents; the feed decides which one to give and reads it consistently. */
export interface HostDocuments<Snapshot, Delta> {
  snapshot(tx: Tx | undefined, host: string, revision: string): Promise<Snapshot>;
  /** What changed for `host` after its revision `from` (the number in `since`), in the format asked for (a model may offer several). */
  delta(tx: Tx | undefined, host: string, revision: string, since: string, from: number, format?: string): Promise<Delta>;
  /**
   * Optional: `delta` for many hosts at once, one query per kind of row for all
   * of them (the watchers one commit woke); null for a format it does not batch.
   */
  deltaMany?(tx: Tx | undefined, asks: DeltaAsk[], format?: string): Promise<Delta[] | null>;
}

/** One host's delta to read in a batch. */
export interface DeltaAsk {
  host: string;
  /** The host's revision now (the document's `revision`). */
  revision: string;
  /** What the agent sent. */
  since: string;
  /** The revision number the delta starts after. */
  from: number;
}

/** A resync: the whole document, marked so the agent replaces what it has. */
export type Resync<Snapshot> = Snapshot & { since: string | null; resync: true };

export interface HostFeedOptions {
  /** The revisions of watched hosts are re-read this often (and streams kept alive); 15 s by default. */
  pollMs?: number;
  /** The SSE event name of the feed's messages (none: plain `message` events). */
  event?: string;
}

/**
 * One read model's per-host agent feed (design.md §5): the document of a host,
 * the changes since a revision the agent holds (or a resync when they cannot
 * be given), and a watch stream of server-sent events woken by the hosts'
 * commits (`hub`, notified by the projection after each commit) and by the
 * revision poller for commits made in another process. The L2 and L3 models
 * plug in their documents and clock; a third does the same.
 */
export class HostFeed<Snapshot extends { revision: string }, Delta extends { revision: string }> {
  readonly hub = new HostHub();
  readonly poller: RevisionPoller;
  readonly pollMs: number;
  private readonly sessions = new Set<() => void>();
  private readonly batcher = new ChangeBatcher<Delta | Resync<Snapshot>>((asks, format) => this.changesMany(asks, format));

  constructor(
    readonly db: Database,
    readonly clock: FeedClock,
    private readonly documents: HostDocuments<Snapshot, Delta>,
    private readonly options: HostFeedOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 15_000;
    this.poller = new RevisionPoller(this.hub, (hosts) => clock.revisions(db, hosts), this.pollMs);
  }

  snapshot(host: string): Promise<Snapshot> {
    return this.read(host, (tx, state) => this.documents.snapshot(tx, host, formatRevision(state.epoch, state.rev)));
  }

  /** The changes since `since`, or a snapshot marked `resync: true` when they cannot be given. */
  changes(host: string, since: string | null, format?: string): Promise<Delta | Resync<Snapshot>> {
    return this.read(host, async (tx, state) => {
      const revision = formatRevision(state.epoch, state.rev);
      const from = deltaFrom(since, state);
      if (from === null) return { ...(await this.documents.snapshot(tx, host, revision)), since, resync: true as const };
      return this.documents.delta(tx, host, revision, since!, from, format);
    });
  }

  /** `changes` as a watch stream asks for it: batched with the other streams' reads of the same turn. */
  nextChanges(host: string, since: string | null, format?: string): Promise<Delta | Resync<Snapshot>> {
    return this.batcher.read({ host, since, format });
  }

  /**
   * `changes` for many hosts: with a model that reads deltas in batches, the
   * hosts' states before and after and their deltas take a few queries for all
   * of them (each host's result stands if its state did not move meanwhile, as
   * in `read`). Resyncs, hosts that moved meanwhile, and formats the model does
   * not batch are read one by one.
   */
  async changesMany(asks: readonly ChangeAsk[], format?: string): Promise<(Delta | Resync<Snapshot>)[]> {
    const out: (Delta | Resync<Snapshot> | undefined)[] = [];
    if (this.documents.deltaMany && asks.length > 1) {
      const hosts = [...new Set(asks.map((a) => a.host))];
      const before = await this.clock.hostStates(this.db, hosts);
      const batch = asks.flatMap((a, k) => {
        const state = before.get(a.host)!;
        const from = deltaFrom(a.since, state);
        return from === null ? [] : [{ k, ask: { host: a.host, revision: formatRevision(state.epoch, state.rev), since: a.since!, from } }];
      });
      const docs =
        batch.length > 0
          ? await this.documents.deltaMany(
              undefined,
              batch.map((b) => b.ask),
              format,
            )
          : null;
      if (docs) {
        const after = await this.clock.hostStates(this.db, hosts);
        batch.forEach(({ k, ask }, j) => {
          if (sameState(before.get(ask.host)!, after.get(ask.host)!)) out[k] = docs[j];
        });
      }
    }
    return Promise.all(
      asks.map((a, k) => {
        const read = out[k];
        return read ? Promise.resolve(read) : this.changes(a.host, a.since, format);
      }),
    );
  }

  async revision(host: string): Promise<string> {
    const s = await this.clock.hostState(this.db, host);
    return formatRevision(s.epoch, s.rev);
  }

  revisions(hosts: readonly string[]): Promise<Map<string, string>> {
    return this.clock.revisions(this.db, hosts);
  }

  /** What an agent's GET asks for: the snapshot, or with `since` the changes since then (in `format`). */
  document(host: string, since: string | undefined, format?: string): Promise<Snapshot | Delta | Resync<Snapshot>> {
    return since === undefined ? this.snapshot(host) : this.changes(host, since, format);
  }

  /**
   * Streams `host`'s changes on `res` until the client leaves or the feed stops,
   * from the revision the client holds: a reconnecting client's `Last-Event-ID`
   * wins over the `since` of its first request (EventSource resumes by itself).
   */
  watch(host: string, from: { since?: string; lastEventId?: string; format?: string }, req: IncomingMessage, res: ServerResponse): void {
    const since = from.lastEventId || from.since || null;
    const session = new WatchSession(this, host, since, res, { event: this.options.event, keepAliveMs: this.pollMs, format: from.format });
    req.on('close', () => session.close());
    session.start();
  }

  start(): void {
    this.poller.start();
  }

  /** Stops polling and ends the open watch streams (so an HTTP server can close). */
  stop(): void {
    this.poller.stop();
    for (const close of [...this.sessions]) close();
  }

  /** Watch streams open now (a gauge operators watch: agents connected to this process). */
  get openStreams(): number {
    return this.sessions.size;
  }

  /** Watch sessions register here to be ended on stop. */
  track(close: () => void): () => void {
    this.sessions.add(close);
    return () => this.sessions.delete(close);
  }

  /**
   * Reads a document consistently without holding a transaction: every commit
   * that changes a host's rows also moves its revision, so if the host's state
   * is the same before and after the reads, they all saw one committed state.
   * Readers then never take part in PostgreSQL's serializable conflict checks,
   * which could otherwise abort the projector's writes. Under constant churn, a
   * transaction.
   */
  private async read<T>(host: string, fn: (tx: Tx | undefined, state: HostState) => Promise<T>): Promise<T> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await this.clock.hostState(this.db, host);
      const result = await fn(undefined, before);
      const after = await this.clock.hostState(this.db, host);
      if (sameState(before, after)) return result;
    }
    return this.db.transaction(async (tx) => fn(tx, await this.clock.hostState(this.db, host, tx)));
  }
}
