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
import { dhcpDeviceId } from '@cp/write-model';
import { dhcpConfigFromEnv, type DhcpConfig } from './config';
import type { DhcpDelta, DhcpSnapshot } from './contract/dhcp-documents';
import { dhcpDigestParts } from './read-model/dhcp.digest';
import { DhcpDocuments } from './read-model/dhcp-documents';
import { DhcpProjection } from './read-model/dhcp.projection';
import { DHCP_CLOCK, DHCP_TABLES } from './read-model/dhcp.tables';

export interface DhcpRuntimeOptions {
  /** The read model's database, opened with `openDhcpReadModel` (it holds the projector's checkpoint too). */
  db: Database;
  /** The event store to tail. Omit it when another process projects into `db` (distributed mode): then only queries are served. */
  store?: EventStore;
  /** Defaults to the CP_* environment (see the app's README), read once here. */
  config?: DhcpConfig;
  /** The model at earlier points of the log (`?at=`); not served without it. */
  history?: ModelHistory;
  /** Watchers re-read their host's revision this often (other processes' commits do not wake them); 15 s by default. */
  pollMs?: number;
  compaction?: Partial<CompactionOptions>;
  batchSize?: number;
  /** Failed batches are retried; this hears about them (logging, health). */
  onError?: (err: Error) => void;
}

export type DhcpFeed = HostFeed<DhcpSnapshot, DhcpDelta>;

/** The DHCP documents of `db` as an agent feed (snapshots, `?since=` deltas, watch streams of `event: dhcp`). */
export function dhcpFeed(db: Database, config: DhcpConfig, pollMs?: number): DhcpFeed {
  return new HostFeed(db, DHCP_CLOCK, new DhcpDocuments(db, config, dhcpDeviceId), { pollMs, event: 'dhcp' });
}

/**
 * The DHCP read model at run time: its projection, the projector tailing the
 * event store (embedded mode), and the feed DHCP agents read, whose hub the
 * projection wakes after each commit. Nest-free; DhcpProjectorModule serves it.
 */
export class DhcpRuntime {
  readonly config: DhcpConfig;
  readonly projection: DhcpProjection;
  readonly projector: StoreProjector | null;
  readonly feed: DhcpFeed;

  constructor(readonly options: DhcpRuntimeOptions) {
    this.config = options.config ?? dhcpConfigFromEnv();
    this.feed = dhcpFeed(options.db, this.config, options.pollMs);
    this.projection = new DhcpProjection(options.db, {
      compaction: options.compaction,
      onCommitted: (changed) => this.feed.hub.notify(changed),
    });
    this.projector = options.store
      ? new StoreProjector(options.store, options.db, this.projection, {
          batchSize: options.batchSize,
          onError: options.onError,
          say: projectorLines,
        })
      : null;
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

export function openDhcpReadModel(config: DatabaseConfig): Promise<Database> {
  return openDatabase(config, [...DHCP_TABLES, CheckpointTable]);
}

/** Embedded layout (design.md §3): the read model as a SQLite file beside the event store. */
export function embeddedDhcpPath(dataDir: string): string {
  return join(dataDir, 'dhcp.sqlite');
}

const DHCP_MODEL: ReadModelSpec = {
  projection: (db) => new DhcpProjection(db),
  parts: dhcpDigestParts,
  openScratch: (path) => openDhcpReadModel({ kind: 'sqlite', path, synchronous: 'NORMAL' }),
};

/** Rebuilds the DHCP model into a scratch store up to the live model's position and compares digests table by table. */
export function verifyDhcp(store: EventStore, live: Database): Promise<VerifyResult> {
  return verifyReadModel(store, live, DHCP_MODEL);
}

/** Truncates the live model and replays it from position 0 (with its projector stopped). */
export function rebuildDhcp(store: EventStore, live: Database): Promise<number> {
  return rebuildReadModel(store, new DhcpProjection(live), live);
}
