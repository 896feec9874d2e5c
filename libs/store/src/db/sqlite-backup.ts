import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

export interface SqliteBackup {
  /** Pages copied. */
  pages: number;
  /** The highest event position in the copy (0 for a database without events). */
  position: number;
}

/**
 * An online, consistent copy of a SQLite database that another process may be
 * writing (SQLite's backup API, from a connection of its own). The copy is
 * made in one backup step, under one read transaction: with WAL the writer
 * goes on meanwhile, and the copy is the database as of one commit, never a
 * torn one (a step-by-step backup would restart at every foreign write, and
 * might never end on a busy store). The target is checked with
 * `PRAGMA integrity_check` before this returns.
 */
export async function backupSqlite(source: string, target: string): Promise<SqliteBackup> {
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  if (existsSync(target)) throw new Error(`${target} exists already; a backup never overwrites a file`);
  const from = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    from.pragma('busy_timeout = 5000');
    // The first call returns after the backup's set-up; the whole database then goes in the next step.
    const meta = await from.backup(target, { progress: () => 0x7fffffff });
    const copy = new BetterSqlite3(target, { readonly: true, fileMustExist: true });
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy at ${target} failed its integrity check: ${String(check)}`);
      return { pages: meta.totalPages, position: headPosition(copy) };
    } finally {
      copy.close();
    }
  } finally {
    from.close();
  }
}

function headPosition(db: BetterSqlite3.Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(position) AS p FROM events').get() as { p: number | null };
  return Number(row.p ?? 0);
}
