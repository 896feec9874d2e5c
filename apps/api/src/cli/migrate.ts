import { EventTable, lockDataDir, MIGRATIONS_TABLE, openDatabase } from '@cp/store';
import { eventStoreConfig } from '@cp/write-model';
import { requireEventStore } from '../embedded/embedded-models';

/**
 * Applies the event log's pending migrations to an existing store: an embedded
 * data directory (locked meanwhile, so no server runs on it) or the PostgreSQL
 * store of distributed mode (every instance of the older release stopped first).
 */
export async function migrateEventStore(o: {
  dataDir: string;
  eventStoreUrl?: string;
  eventStoreSchema?: string;
}): Promise<{ where: string; applied: string[]; version: string }> {
  const config = eventStoreConfig({ dataDir: o.dataDir, eventStoreUrl: o.eventStoreUrl, eventStoreSchema: o.eventStoreSchema });
  if (config.kind === 'sqlite') requireEventStore(o.dataDir);
  const lock = config.kind === 'sqlite' ? lockDataDir(o.dataDir) : null;
  try {
    const before = await applied({ ...config, migrate: false }).catch(() => [] as string[]);
    const db = await openDatabase({ ...config, migrate: true }, [EventTable]);
    try {
      const after = (await db.all<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).map((r) => r.name);
      return {
        where: config.kind === 'sqlite' ? config.path : `schema ${config.schema ?? 'public'}`,
        applied: after.filter((name) => !before.includes(name)),
        version: after[after.length - 1] ?? 'none',
      };
    } finally {
      await db.close();
    }
  } finally {
    lock?.release();
  }
}

/** The migrations a store records, read without touching its schema. */
async function applied(config: Parameters<typeof openDatabase>[0]): Promise<string[]> {
  const db = await openDatabase(config, []);
  try {
    return (await db.all<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).map((r) => r.name);
  } finally {
    await db.close();
  }
}
