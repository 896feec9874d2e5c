import { join } from 'node:path';
import { projectorLines } from '@cp/runtime';
import { HostFeed, type CompactionOptions, type ModelHistory } from '@cp/host-feed';
import {
  CheckpointTable,
  openDatabase,
  rebuildReadModel,
  StoreProjector,
  verifyReadModel,
  type Database,
  type DatabaseConfig,
  type EventStore,
  type ReadModelSpec,
  type VerifyResult,
} from '@cp/store';
import type { WriteSide } from '@cp/write-model';
import { l3ConfigFromEnv, type L3Config } from './config';
import type { L3Delta, L3Snapshot } from './contract/l3-documents';
import { L3Documents } from './read-model/l3-documents';
import { l3DigestParts } from './read-model/l3.digest';
import { L3Projection } from './read-model/l3.projection';
import { L3_CLOCK, L3_TABLES } from './read-model/l3.tables';
import { NeutronL3Queries } from './read-model/neutron.queries';
import { L3Scheduler, type L3SchedulerOptions } from './scheduler/l3-scheduler';
import { L3_SCHEDULER_TABLES } from './scheduler/scheduler-state';

export interface L3RuntimeOptions {
  /** The read model's database, opened with `openL3ReadModel` (it holds the projector's checkpoint too). */
  db: Database;
  /** The write side: its store is tailed by the projector and the scheduler; decisions and HA state reports are commands on it. */
  writeSide: WriteSide;
  /** Defaults to the CP_* environment (see README), read once here. */
  config?: L3Config;
  /** Run the projector in this process (embedded mode); false when another process projects into `db`. */
  project?: boolean;
  /** The model at earlier points of the log (`?at=`); not served without it. */
  history?: ModelHistory;
  /**
   * The scheduler (process manager) runs in this process unless this is false; its
   * state and checkpoint go to `db` unless `stateDb` says otherwise.
   */
  scheduler?: Omit<L3SchedulerOptions, 'writeSide' | 'config'> | false;
  /** Watchers re-read their host's revision this often (other processes' commits do not wake them); 15 s by default. */
  pollMs?: number;
  compaction?: Partial<CompactionOptions>;
  batchSize?: number;
  /** Failed batches are retried; this hears about them (logging, health). */
  onError?: (err: Error) => void;
}

export type L3Feed = HostFeed<L3Snapshot, L3Delta>;

/** The L3 documents of `db` as an agent feed (snapshots, `?since=` deltas, watch streams of `event: l3`). */
export function l3Feed(db: Database, pollMs?: number): L3Feed {
  return new HostFeed(db, L3_CLOCK, new L3Documents(db), { pollMs, event: 'l3' });
}

/**
 * Everything the L3 side needs at run time, wired in one place: the scheduler,
 * the read model's projection and projector, and the feed agents read, whose hub
 * the projection wakes after each commit. Nest-free, so tests and a standalone
 * process use it as is; L3SchedulerModule serves it over HTTP.
 */
export class L3Runtime {
  readonly config: L3Config;
  readonly projection: L3Projection;
  readonly projector: StoreProjector | null;
  readonly scheduler: L3Scheduler | null;
  readonly feed: L3Feed;
  readonly neutron: NeutronL3Queries;

  constructor(readonly options: L3RuntimeOptions) {
    this.config = options.config ?? l3ConfigFromEnv();
    this.feed = l3Feed(options.db, options.pollMs);
    this.projection = new L3Projection(options.db, {
      compaction: options.compaction,
      onCommitted: (changed) => this.feed.hub.notify(changed),
    });
    this.projector =
      options.project === false
        ? null
        : new StoreProjector(options.writeSide.store, options.db, this.projection, {
            batchSize: options.batchSize,
            onError: options.onError,
            say: projectorLines,
          });
    this.scheduler =
      options.scheduler === false
        ? null
        : new L3Scheduler({
            stateDb: options.db,
            onError: options.onError,
            ...options.scheduler,
            writeSide: options.writeSide,
            config: this.config,
          });
    this.neutron = new NeutronL3Queries(options.db);
  }

  get store(): EventStore {
    return this.options.writeSide.store;
  }

  async start(): Promise<void> {
    await this.scheduler?.start();
    await this.projector?.start();
    this.feed.start();
  }

  /** Stops deciding and projecting, and ends open watch streams (so an HTTP server can close). */
  async stop(): Promise<void> {
    this.feed.stop();
    await this.scheduler?.stop();
    await this.projector?.stop();
  }

  /** Scheduler decisions and the read model, both caught up with everything appended so far. */
  async settle(): Promise<void> {
    for (let round = 0; round < 10; round++) {
      const head = await this.store.headPosition();
      await this.scheduler?.catchUp();
      await this.projector?.catchUp();
      if ((await this.store.headPosition()) === head) return;
    }
  }
}

/** The read model's database; it also holds the scheduler's state and both checkpoints. */
export function openL3ReadModel(config: DatabaseConfig): Promise<Database> {
  return openDatabase(config, [...L3_TABLES, ...L3_SCHEDULER_TABLES, CheckpointTable]);
}

/** Embedded layout (design.md §3): the read model as a SQLite file beside the event store. */
export function embeddedL3Path(dataDir: string): string {
  return join(dataDir, 'l3.sqlite');
}

const L3_MODEL: ReadModelSpec = {
  projection: (db) => new L3Projection(db),
  parts: l3DigestParts,
  openScratch: (path) => openL3ReadModel({ kind: 'sqlite', path, synchronous: 'NORMAL' }),
};

/** Rebuilds the L3 model into a scratch store up to the live model's position and compares digests table by table. */
export function verifyL3(store: EventStore, live: Database): Promise<VerifyResult> {
  return verifyReadModel(store, live, L3_MODEL);
}

/** Truncates the live L3 model (not the scheduler's state) and replays it from position 0, with its projector stopped. */
export function rebuildL3(store: EventStore, live: Database): Promise<number> {
  return rebuildReadModel(store, new L3Projection(live), live);
}
