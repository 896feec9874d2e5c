import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataDirError,
  EventStore,
  EventTable,
  latestSnapshot,
  openDatabase,
  readCheckpoint,
  rebuildReadModel,
  restoreSnapshot,
  takeSnapshot,
  ALL_PARTITION,
  type Database,
  type Projection,
  type Snapshot,
  type VerifyResult,
} from '@cp/store';
import { FeedClock } from '@cp/host-feed';
import { embeddedPaths, L2Explainer, L2popProjection, openReadModel, verify as verifyL2 } from '../../../l2pop-projector/src';
import { embeddedL3Path, l3Feed, L3Explainer, L3Projection, openL3ReadModel, verifyL3 } from '../../../l3-scheduler/src';
import { DhcpProjection, embeddedDhcpPath, openDhcpReadModel, verifyDhcp } from '../../../dhcp-projector/src';

export const MODEL_NAMES = ['l2', 'l3', 'dhcp'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** One read model of an embedded data directory, as the server and the maintenance commands use it. */
export interface EmbeddedModel {
  name: ModelName;
  path(dataDir: string): string;
  open(dataDir: string): Promise<Database>;
  /** The model's tables in another file (a snapshot's copy). */
  openFile(path: string): Promise<Database>;
  /**
   * How much more an event costs applied to a standing model (catch-up) than
   * replayed into an empty one (bulk), as `npm run bench -- projection`
   * measures: time travel replays from 0 rather than from a snapshot further
   * back than position / this.
   */
  catchUpCost: number;
  projection(db: Database): Projection;
  verify(store: EventStore, db: Database): Promise<VerifyResult>;
}

const sqlite = (path: string) => ({ kind: 'sqlite' as const, path });

/** The embedded layout (design.md §3.4): each model in its file beside events.sqlite. */
export const EMBEDDED_MODELS: readonly EmbeddedModel[] = [
  {
    name: 'l2',
    path: (d) => embeddedPaths(d).readModel,
    open: (d) => openReadModel(sqlite(embeddedPaths(d).readModel)),
    openFile: (path) => openReadModel(sqlite(path)),
    // 1M events: rebuild 52,000 events/s, catch-up 1,000-2,000.
    catchUpCost: 40,
    projection: (db) => new L2popProjection(db),
    verify: verifyL2,
  },
  {
    name: 'l3',
    path: embeddedL3Path,
    open: (d) => openL3ReadModel(sqlite(embeddedL3Path(d))),
    openFile: (path) => openL3ReadModel(sqlite(path)),
    // 1M events: rebuild 87,000 events/s, catch-up 59,000.
    catchUpCost: 1.5,
    projection: (db) => new L3Projection(db),
    verify: verifyL3,
  },
  {
    name: 'dhcp',
    path: embeddedDhcpPath,
    open: (d) => openDhcpReadModel(sqlite(embeddedDhcpPath(d))),
    openFile: (path) => openDhcpReadModel(sqlite(path)),
    catchUpCost: 2,
    projection: (db) => new DhcpProjection(db),
    verify: verifyDhcp,
  },
];

export function embeddedModel(name: ModelName): EmbeddedModel {
  return EMBEDDED_MODELS.find((m) => m.name === name)!;
}

export function modelsNamed(which: string): EmbeddedModel[] {
  if (which === 'all') return [...EMBEDDED_MODELS];
  const model = EMBEDDED_MODELS.find((m) => m.name === which);
  if (!model) throw new UsageError(`unknown read model '${which}': one of ${MODEL_NAMES.join(', ')} or all`);
  return [model];
}

/** Where a model's snapshots are kept: `<data dir>/snapshots/<model>/<position>.sqlite`. */
export function snapshotDir(dataDir: string, model: EmbeddedModel): string {
  return join(dataDir, 'snapshots', model.name);
}

/** The newest snapshot this build's projection can start from. */
export function usableSnapshot(dataDir: string, model: EmbeddedModel, db: Database): Snapshot | null {
  const p = model.projection(db);
  return latestSnapshot(snapshotDir(dataDir, model), p.name, p.version);
}

/** Snapshots a model's live file (a server may be writing it); null when it has applied nothing. */
export async function takeModelSnapshot(dataDir: string, model: EmbeddedModel, keep?: number): Promise<Snapshot | null> {
  const path = model.path(dataDir);
  if (!existsSync(path)) return null;
  const db = await model.open(dataDir);
  const name = model.projection(db).name;
  await db.close();
  return takeSnapshot(path, snapshotDir(dataDir, model), name, keep);
}

/**
 * Opens a model; one that has applied nothing (a new file, or one lost and
 * removed) is first seeded from its newest usable snapshot, so its projector
 * replays only the events after it rather than the whole log.
 */
export async function openSeeded(dataDir: string, model: EmbeddedModel, said?: (s: Snapshot) => void): Promise<Database> {
  const db = await model.open(dataDir);
  const p = model.projection(db);
  if (await readCheckpoint(db, p.name, ALL_PARTITION)) return db;
  const snapshot = latestSnapshot(snapshotDir(dataDir, model), p.name, p.version);
  if (!snapshot) return db;
  await db.close();
  const seeded = await restoreModelSnapshot(dataDir, model, snapshot);
  said?.(snapshot);
  return seeded;
}

/**
 * Puts a snapshot in place of a model's (closed) file and opens it in a new
 * feed epoch: the revisions after the snapshot were handed to agents already
 * and will be numbered again, so an agent holding one must resync.
 */
async function restoreModelSnapshot(dataDir: string, model: EmbeddedModel, snapshot: Snapshot): Promise<Database> {
  restoreSnapshot(snapshot, model.path(dataDir));
  const db = await model.open(dataDir);
  // Each model's feed tables are prefixed with its name (l2_model, l3_epochs, dhcp_host_revs, ...).
  await new FeedClock(model.name).renewEpoch(db, Math.floor(Date.now() / 1000));
  return db;
}

/**
 * Rebuilds a closed model: from its newest usable snapshot plus the events
 * after it, or with `fromScratch` (or no snapshot) from position 0.
 */
export async function rebuildModel(
  store: EventStore,
  dataDir: string,
  model: EmbeddedModel,
  fromScratch: boolean,
): Promise<{ position: number; snapshot: Snapshot | null }> {
  let db = await model.open(dataDir);
  const snapshot = fromScratch ? null : usableSnapshot(dataDir, model, db);
  if (snapshot) {
    await db.close();
    db = await restoreModelSnapshot(dataDir, model, snapshot);
  }
  try {
    const position = await rebuildReadModel(store, model.projection(db), db, { fromCheckpoint: snapshot !== null });
    return { position, snapshot };
  } finally {
    await db.close();
  }
}

export function eventsPath(dataDir: string): string {
  return join(dataDir, 'events.sqlite');
}

/** The event store of a data directory, for reading (verify runs beside a live server). */
export async function openEventsForReading(dataDir: string): Promise<{ store: EventStore; close(): Promise<void> }> {
  requireEventStore(dataDir);
  const db = await openDatabase(sqlite(eventsPath(dataDir)), [EventTable]);
  return { store: new EventStore(db), close: () => db.close() };
}

export { parseExplainQuery, type Explanation } from '../../../l2pop-projector/src';

/** Provenance over a data directory's L2 and L3 models and event log, read-only (a server may be running). */
export async function openExplainers(dataDir: string): Promise<{ l2: L2Explainer; l3: L3Explainer; close(): Promise<void> }> {
  const events = await openEventsForReading(dataDir);
  const opened: Database[] = [];
  const close = async () => {
    for (const db of opened) await db.close();
    await events.close();
  };
  try {
    for (const model of [embeddedModel('l2'), embeddedModel('l3')]) {
      if (!existsSync(model.path(dataDir)))
        throw new DataDirError(`no ${model.name} read model in ${dataDir} (expected ${model.path(dataDir)})`);
      opened.push(await model.open(dataDir));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const [l2db, l3db] = opened;
  return {
    l2: new L2Explainer(l2db, events.store),
    l3: new L3Explainer(events.store, (host) => l3Feed(l3db).snapshot(host)),
    close,
  };
}

/** Never create an event store: a mistyped directory is an error, not an empty store that verifies. */
export function requireEventStore(dataDir: string): void {
  if (!existsSync(eventsPath(dataDir))) throw new DataDirError(`no event store in ${dataDir} (expected ${eventsPath(dataDir)})`);
}

/** A mistake in the command line: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
