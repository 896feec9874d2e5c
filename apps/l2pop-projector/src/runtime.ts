import { join } from 'node:path';
import { projectorLines } from '@cp/runtime';
import { HostFeed, type CompactionOptions, type ModelHistory } from '@cp/host-feed';
import { CheckpointTable, openDatabase, EventStore, EventTable, StoreProjector, type Database, type DatabaseConfig } from '@cp/store';
import type { L2Delta, L2EntryDelta, L2Snapshot } from './contract/l2-documents';
import { L2_CLOCK, L2POP_TABLES } from './model/tables';
import { L2popProjection } from './projection/l2pop.projection';
import { L2Documents } from './query/l2-documents';
import type { EventLookup } from '@cp/host-feed';
import { L2Explainer } from './explain/explain-l2';

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
  /** Where provenance reads events (`/l2/explain`); the tailed `store` when not given. Without either, explain is not served. */
  events?: EventLookup;
  /** The model at earlier points of the log (`?at=`, `/l2/diff`); not served without it. */
  history?: ModelHistory;
  /** Rows of network and set state the projection keeps in memory (views/hot-state.ts). */
  hotRows?: number;
}

export type L2Feed = HostFeed<L2Snapshot, L2Delta | L2EntryDelta>;

/** The L2 documents of `db` as an agent feed (snapshots, `?since=` deltas, watch streams). */
export function l2Feed(db: Database, pollMs?: number): L2Feed {
  return new HostFeed(db, L2_CLOCK, new L2Documents(db), { pollMs });
}

/**
 * Everything the L2 read model needs at run time, wired in one place: the
 * projection, the projector tailing the event store, and the feed agents read,
 * whose hub the projection wakes after each commit. Nest-free, so the CLI and
 * tests use it as is; L2popModule wraps it.
 */
export class L2popRuntime {
  readonly projection: L2popProjection;
  readonly projector: StoreProjector | null;
  readonly feed: L2Feed;
  /** Provenance of the documents; null where this process reads no event log. */
  readonly explainer: L2Explainer | null;

  constructor(readonly options: L2popOptions) {
    this.feed = l2Feed(options.db, options.pollMs);
    const events = options.events ?? options.store;
    this.explainer = events ? new L2Explainer(options.db, events) : null;
    this.projection = new L2popProjection(options.db, {
      compaction: options.compaction,
      hotRows: options.hotRows,
      onCommitted: (changed) => this.feed.hub.notify(changed),
    });
    this.projector = options.store
      ? new StoreProjector(options.store, options.db, this.projection, {
          batchSize: options.batchSize,
          pollMs: options.projectorPollMs,
          say: projectorLines,
        })
      : null;
  }

  get db(): Database {
    return this.options.db;
  }

  async start(): Promise<void> {
    await this.projector?.start();
    this.feed.start();
  }

  /** Stops projecting and ends open watch streams (so an HTTP server can close). */
  async stop(): Promise<void> {
    this.feed.stop();
    await this.projector?.stop();
  }
}

export function openReadModel(config: DatabaseConfig): Promise<Database> {
  return openDatabase(config, [...L2POP_TABLES, CheckpointTable]);
}

/** Embedded layout (design.md §3): the event store and this read model as SQLite files in one data directory. */
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
