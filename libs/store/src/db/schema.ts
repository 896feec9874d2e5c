import { MikroORM, type EntitySchema, type Options } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ensureDirectory } from './data-dir-lock';
import { dirname } from 'node:path';
import { Client } from 'pg';
import { EventTable } from '../event-table';
import type { DatabaseConfig } from './database';
import { EVENT_STORE_MIGRATIONS, MIGRATIONS_TABLE } from './migrations';

/** Held while a process changes a PostgreSQL schema, so instances starting together take turns. */
const SCHEMA_LOCK = 724202;

/**
 * Brings a database's tables up to date, on a MikroORM connection of its own
 * that is closed afterwards (queries then go through the adapters):
 *  - the event log (EventTable among `entities`) by the versioned migrations in
 *    ./migrations, so a store written by an older release is upgraded in place;
 *  - every other table from its entity schema by MikroORM's schema generator in
 *    safe mode (it adds, never drops). These are derived models, rebuilt from the
 *    events when their version changes, or operational state.
 */
export async function syncSchema(config: DatabaseConfig, entities: readonly EntitySchema[]): Promise<void> {
  const migrate = entities.includes(EventTable);
  const derived = entities.filter((e) => e !== EventTable);
  if (config.kind === 'sqlite') {
    ensureDirectory(dirname(config.path));
    return withOrm(config, derived, (orm) => apply(orm, migrate && config, undefined));
  }
  const lock = new Client({ connectionString: config.url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
    if (config.schema) await lock.query(`CREATE SCHEMA IF NOT EXISTS "${config.schema}"`);
    await withOrm(config, derived, (orm) => apply(orm, migrate && config, config.schema));
  } finally {
    await lock.end().catch(() => undefined); // ending the session releases the lock
  }
}

/** An existing event store whose schema is older than this release's: migrate it on purpose, then start. */
export class PendingMigrationsError extends Error {
  override readonly name = 'PendingMigrationsError';
}

/**
 * The event log's migrations: a new store gets them all; an existing one with some
 * pending only when asked (`config.migrate`), so no release upgrades a store behind
 * its operator's back (a backup first, every instance of the old release stopped).
 */
async function migrateEventLog(orm: MikroORM, config: DatabaseConfig): Promise<void> {
  const migrator = orm.getMigrator();
  const pending = await migrator.getPendingMigrations();
  if (pending.length === 0) return;
  const existing = (await migrator.getExecutedMigrations()).length > 0 || (await hasEventLog(orm, config));
  if (existing && !config.migrate) {
    const where = config.kind === 'sqlite' ? config.path : `schema ${config.schema ?? 'public'}`;
    throw new PendingMigrationsError(
      `the event store (${where}) needs migrations this release brings (${pending.map((m) => m.name).join(', ')}): back it up, stop every process of the older release, then run \`controlplane migrate\``,
    );
  }
  await migrator.up();
}

async function hasEventLog(orm: MikroORM, config: DatabaseConfig): Promise<boolean> {
  const [sql, params] =
    config.kind === 'sqlite'
      ? ["SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'events'", []]
      : ['SELECT 1 AS x FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [config.schema ?? 'public', 'events']];
  const rows = (await orm.em.getConnection().execute(sql, params)) as unknown[];
  return rows.length > 0;
}

async function apply(orm: MikroORM, migrate: DatabaseConfig | false, schema: string | undefined): Promise<void> {
  if (migrate) await migrateEventLog(orm, migrate);
  // The generator reads the catalogue of every schema in the database; a table another process drops meanwhile
  // (a test run's scratch schema, a blue/green cleanup) fails that read. It is a moment's race: read again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await orm.schema.updateSchema({ safe: true, schema });
    } catch (err) {
      if (attempt >= 3 || !isCatalogueRace(err)) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/** PostgreSQL's answers when a relation it was about to describe has just been dropped. */
function isCatalogueRace(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '42P01' || /could not open relation with OID|does not exist/.test(e?.message ?? '');
}

async function withOrm(config: DatabaseConfig, entities: EntitySchema[], fn: (orm: MikroORM) => Promise<void>): Promise<void> {
  const common: Partial<Options> = {
    entities,
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: true,
    debug: false,
    extensions: [Migrator],
    migrations: { migrationsList: EVENT_STORE_MIGRATIONS, tableName: MIGRATIONS_TABLE, snapshot: false, silent: true, transactional: true },
  };
  const orm =
    config.kind === 'sqlite'
      ? await MikroORM.init({ ...common, driver: BetterSqliteDriver, dbName: config.path })
      : await MikroORM.init({
          ...common,
          driver: PostgreSqlDriver,
          clientUrl: config.url,
          schema: config.schema,
          pool: {
            min: 0,
            max: 1,
            // Migrations name tables unqualified, as every query does.
            afterCreate: (
              conn: { query(sql: string, cb: (err: Error | null) => void): void },
              done: (err: Error | null, c: unknown) => void,
            ) => conn.query(`SET search_path TO "${config.schema ?? 'public'}"`, (err) => done(err, conn)),
          },
        });
  try {
    await fn(orm);
  } finally {
    await orm.close(true);
  }
}
