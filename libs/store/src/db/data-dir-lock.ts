import { accessSync, constants, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/** Why a data directory cannot be used: said in one line, and the process stops (never retries). */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

export interface DataDirLock {
  release(): void;
}

const LOCK_FILE = 'controlplane.lock';
const PID_FILE = 'controlplane.pid';

/**
 * Makes the data directory if needed and takes it for this process alone: one embedded control plane
 * per directory, since two writers would each project (and schedule) half of what the other appends.
 * The lock is SQLite's own exclusive file lock on `controlplane.lock`, held by an open transaction
 * for the process's life: the operating system drops it when the process dies, so a crash never
 * leaves a stale lock behind. The holder's pid is written beside it for the refusal message.
 */
export function lockDataDir(dir: string): DataDirLock {
  try {
    ensureDirectory(dir);
    accessSync(dir, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new DataDirError(`data directory ${dir} cannot be used: ${(err as Error).message}`);
  }
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(join(dir, LOCK_FILE), { timeout: 0 });
  } catch (err) {
    throw new DataDirError(`data directory ${dir} cannot be used: ${(err as Error).message}`);
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') {
      throw new DataDirError(`data directory ${dir} cannot be locked: ${(err as Error).message}`);
    }
    const holder = readHolder(dir);
    throw new DataDirError(
      `another control plane${holder ? ` (pid ${holder})` : ''} is using data directory ${dir}: stop it first, or give this one another CP_DATA_DIR`,
    );
  }
  writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
  return {
    release() {
      rmSync(join(dir, PID_FILE), { force: true });
      db.close();
    },
  };
}

/**
 * `mkdir -p`, one level at a time. Not Node's `mkdirSync(dir, { recursive: true })`: on a path under
 * /proc it loops forever (100% CPU, deaf to SIGTERM) where a plain mkdir fails at once with ENOENT.
 */
export function ensureDirectory(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
    const parent = dirname(dir);
    if (parent !== dir) ensureDirectory(parent);
    mkdirSync(dir);
    return;
  }
  throw new Error(`${dir} is not a directory`);
}

function readHolder(dir: string): string | null {
  try {
    return readFileSync(join(dir, PID_FILE), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
