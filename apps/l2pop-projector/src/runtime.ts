import { join } from 'node:path';
import { CheckpointTable, type Database, EventStore, EventTable, RevisionPoller, StoreProjector, type DatabaseConfig, HostHub, openDatabase } from '@cp/store';
import { L2POP_TABLES } from './model/tables';
import { L2popProjection } from './projection/l2pop.projection';
import { L2Queries } from './query/l2-queries';
import type { CompactionOptions } from './views/stamp';

export interface L2popOptions {
  /** The read model's database, opened with `openReadModel` (it holds the checkpoint too). */
  db: Database;
  /** The event store to tail. Omit it when another process projects into `db`: then only queries are served. */
  store?: EventStore;
  /** The revisions of watched hosts are re-read this often (and streams kept alive); 15 s by default. */
  pollMs?: number;
  /** Also look for new events this often: needed when another process appends (the API beside a standalone server). */
  projectorPollMs?: number;
  compaction?: Partial<CompactionOptions>;
  batchSize?: number;
}

/**
 * Everything the L2 read model needs at run time, wired in one place: the
 * projection, the projector tailing the event store, the per-host hub the
 * projection wakes after each commit, and the queries. Nest-free, so the CLI and
 * tests use it as is; L2popModule wraps it.
 */
export class L2popRuntime {
  readonly hub = new HostHub();
  readonly projection: L2popProjection;
  readonly projector: StoreProjector | null;
  readonly queries: L2Queries;
  readonly pollMs: number;
  /** Wakes watchers of hosts whose revision moved in another process (the backstop to notifications). */
  readonly poller: RevisionPoller;
  private readonly sessions = new Set<() => void>();

  constructor(readonly options: L2popOptions) {
    this.projection = new L2popProjection(options.db, {
      compaction: options.compaction,
      onCommitted: (changed) => this.hub.notify(changed),
    });
    this.projector = options.store
      ? new StoreProjector(options.store, options.db, this.projection, { batchSize: options.batchSize, pollMs: options.projectorPollMs })
      : null;
    this.queries = new L2Queries(options.db);
    this.pollMs = options.pollMs ?? 15_000;
    this.poller = new RevisionPoller(this.hub, (hosts) => this.queries.revisions(hosts), this.pollMs);
  }

  get db(): Database {
    return this.options.db;
  }

  async start(): Promise<void> {
    await this.projector?.start();
    this.poller.start();
  }

  /** Stops projecting and ends open watch streams (so an HTTP server can close). */
  async stop(): Promise<void> {
    this.poller.stop();
    await this.projector?.stop();
    for (const close of [...this.sessions]) close();
  }

  /** Watch sessions register here to be ended on stop. */
  track(close: () => void): () => void {
    this.sessions.add(close);
    return () => this.sessions.delete(close);
  }
}

export function openReadModel(config: DatabaseConfig): Promise<Database> {
  return openDatabase(config, [...L2POP_TABLES, CheckpointTable]);
}

/** Embedded layout (DESIGN.md 3): the event store and this read model as SQLite files in one data directory. */
export function embeddedPaths(dataDir: string): { events: string; readModel: string } {
  return { events: join(dataDir, 'events.sqlite'), readModel: join(dataDir, 'l2pop.sqlite') };
}

export interface EmbeddedStores {
  eventsDb: Database;
  store: EventStore;
  db: Database;
  close(): Promise<void>;
}

export async function openEmbedded(dataDir: string): Promise<EmbeddedStores> {
  const paths = embeddedPaths(dataDir);
  const eventsDb = await openDatabase({ kind: 'sqlite', path: paths.events }, [EventTable]);
  const db = await openReadModel({ kind: 'sqlite', path: paths.readModel });
  return {
    eventsDb,
    store: new EventStore(eventsDb),
    db,
    close: async () => {
      await db.close();
      await eventsDb.close();
    },
  };
}
