import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

/**
 * Snapshots of an embedded (SQLite) read model: a consistent copy of its file
 * at one checkpoint, so a rebuild, or a model whose file is gone, starts from
 * the latest snapshot and replays only the events after it instead of the
 * whole log. A snapshot is `<dir>/<position>.sqlite`; the checkpoint inside it
 * says the position and the projection version it was written by (a release
 * that changes the version replays from 0 as before, the snapshot being stale).
 */
export interface SnapshotFile {
  path: string;
  position: number;
}

export interface Snapshot extends SnapshotFile {
  /** The projection version that wrote it. */
  version: number;
}

/**
 * How many snapshots a model keeps by default: the newest and one before it,
 * should the newest be damaged. More keep time travel near older points cheap.
 */
export const DEFAULT_SNAPSHOT_KEEP = 2;

/**
 * Copies the live model at `livePath` into `dir`, consistent as of one committed
 * transaction (`VACUUM INTO` inside one read transaction), while the projector
 * goes on writing. The copy runs on a worker thread so a server's event loop
 * is not held for the seconds a large model takes. Returns null for a model
 * that has applied nothing yet.
 */
export async function takeSnapshot(
  livePath: string,
  dir: string,
  projection: string,
  keep = DEFAULT_SNAPSHOT_KEEP,
): Promise<Snapshot | null> {
  if (!existsSync(livePath)) throw new Error(`no read model at ${livePath}`);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.taking-${process.pid}-${Date.now()}.sqlite`);
  try {
    await vacuumInto(livePath, tmp);
    const checkpoint = readSnapshotCheckpoint(tmp, projection);
    if (!checkpoint) return null;
    const path = join(dir, `${String(checkpoint.position).padStart(12, '0')}.sqlite`);
    renameSync(tmp, path);
    for (const old of listSnapshots(dir).slice(Math.max(1, keep))) rmSync(old.path, { force: true });
    return { path, ...checkpoint };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The snapshots in `dir`, newest first. */
export function listSnapshots(dir: string): SnapshotFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d{12}\.sqlite$/.test(f))
    .sort()
    .reverse()
    .map((f) => ({ path: join(dir, f), position: Number(f.slice(0, 12)) }));
}

/** The newest snapshot written by `version` of `projection`, if any. */
export function latestSnapshot(dir: string, projection: string, version: number): Snapshot | null {
  for (const s of listSnapshots(dir)) {
    const checkpoint = readSnapshotCheckpoint(s.path, projection);
    if (checkpoint?.version === version) return { ...s, ...checkpoint };
  }
  return null;
}

/** The newest snapshot at or before `position` written by `version` of `projection` (time travel starts there). */
export function snapshotAtOrBefore(dir: string, projection: string, version: number, position: number): Snapshot | null {
  for (const s of listSnapshots(dir)) {
    if (s.position > position) continue;
    const checkpoint = readSnapshotCheckpoint(s.path, projection);
    if (checkpoint?.version === version) return { ...s, ...checkpoint };
  }
  return null;
}

/** Puts a snapshot in place of the live model's file (closed, with its WAL). */
export function restoreSnapshot(snapshot: Snapshot, livePath: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${livePath}${suffix}`, { force: true });
  const tmp = `${livePath}.restoring`;
  copyFileSync(snapshot.path, tmp);
  renameSync(tmp, livePath);
}

function readSnapshotCheckpoint(path: string, projection: string): { position: number; version: number } | null {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT position, version FROM checkpoints WHERE projection = ? AND partition = 'all'").get(projection) as
      { position: number; version: number } | undefined;
    return row ? { position: Number(row.position), version: Number(row.version) } : null;
  } catch {
    return null; // not a model of this projection, or damaged: not a snapshot to start from
  } finally {
    db.close();
  }
}

/** VACUUM INTO on a worker thread, with its own read-only connection. */
function vacuumInto(source: string, target: string): Promise<void> {
  const code = `
    const { workerData } = require('node:worker_threads');
    const Database = require(workerData.module);
    const db = new Database(workerData.source, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 10000');
      db.prepare('VACUUM INTO ?').run(workerData.target);
    } finally {
      db.close();
    }`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { module: require.resolve('better-sqlite3'), source, target } });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`snapshot of ${source} failed (worker exit ${code})`))));
  });
}
