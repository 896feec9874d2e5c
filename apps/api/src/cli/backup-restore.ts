import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { backupSqlite, DataDirError, lockDataDir } from '@cp/store';
import { eventStoreConfig, openWriteSide } from '@cp/write-model';
import { EMBEDDED_MODELS, eventsPath, rebuildModel } from '../embedded/embedded-models';

export interface Say {
  (line: string): void;
}

/**
 * An online backup of an embedded data directory: its event store, which holds
 * everything (the read models are derived and rebuilt on restore). A server may
 * be running on the directory; the copy is consistent as of one commit.
 */
export async function backupDataDir(dataDir: string, to: string, say: Say): Promise<{ position: number }> {
  const source = eventsPath(dataDir);
  if (!existsSync(source)) throw new DataDirError(`no event store in ${dataDir} (expected ${source})`);
  if (existsSync(to)) throw new DataDirError(`${to} exists already; a backup never overwrites a file`);
  const started = Date.now();
  const copy = await backupSqlite(source, resolve(to));
  const size = statSync(to).size;
  say(`backed up ${source} to ${to}: up to position ${copy.position}, ${copy.pages} pages (${size} bytes), ${Date.now() - started} ms`);
  return { position: copy.position };
}

/**
 * Restores a backup into a fresh data directory: the event store copied (and
 * checked), migrated if it came from an older release, its inline models
 * rebuilt, then every read model rebuilt from position 0 and verified against
 * a second, independent replay. The directory is locked meanwhile, so a
 * server cannot start on it half-restored.
 */
export async function restoreDataDir(from: string, dataDir: string, say: Say): Promise<{ position: number; ok: boolean }> {
  if (!existsSync(from)) throw new DataDirError(`no backup at ${from}`);
  const target = eventsPath(dataDir);
  if (existsSync(target)) throw new DataDirError(`${dataDir} already has an event store; restore only into a new data directory`);
  const lock = lockDataDir(dataDir);
  try {
    const copy = await backupSqlite(resolve(from), target);
    // A backup of an older release's store is upgraded here, on purpose: it is a new directory nobody runs on yet.
    const ws = await openWriteSide({ ...eventStoreConfig({ dataDir }), migrate: true });
    let ok = true;
    try {
      const head = await ws.store.headPosition();
      say(`restored ${from} into ${dataDir}: events up to position ${head}`);
      for (const model of EMBEDDED_MODELS) {
        const started = Date.now();
        const { position } = await rebuildModel(ws.store, dataDir, model, true);
        const db = await model.open(dataDir);
        try {
          const check = await model.verify(ws.store, db);
          ok &&= check.ok;
          say(
            `${model.name}: rebuilt to position ${position} in ${Date.now() - started} ms; ${check.ok ? `verified (digest ${check.live})` : `DIFFERENT: ${check.message ?? check.differences.join(', ')}`}`,
          );
        } finally {
          await db.close();
        }
      }
    } finally {
      await ws.db.close();
    }
    return { position: copy.position, ok };
  } finally {
    lock.release();
  }
}
