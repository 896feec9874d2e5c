import { EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteAccess } from './sqlite-access';

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string; synchronous?: 'FULL' | 'NORMAL' }
  | { kind: 'postgres'; url: string; schema?: string };

export type Tx = Knex.Transaction;
type Row = Record<string, unknown>;

/**
 * One database (SQLite file or PostgreSQL schema) reached through MikroORM.
 * Tables are declared as MikroORM entity schemas and created by its schema
 * generator; queries are portable SQL through MikroORM's connection, so the
 * event store and read models run unchanged on SQLite and PostgreSQL.
 */
export class Database {
  /** SQLite's statements and transactions, straight on better-sqlite3 (sqlite-access.ts). */
  private readonly sqlite: SqliteAccess | null;

  private constructor(
    readonly orm: MikroORM,
    readonly config: DatabaseConfig,
  ) {
    this.sqlite = config.kind === 'sqlite' ? new SqliteAccess(orm) : null;
  }

  get kind(): DatabaseConfig['kind'] {
    return this.config.kind;
  }

  static async open(config: DatabaseConfig, entities: EntitySchema[]): Promise<Database> {
    const common: Partial<Options> = {
      entities,
      discovery: { warnWhenNoEntities: false },
      allowGlobalContext: true,
      debug: false,
    };
    let orm: MikroORM;
    if (config.kind === 'sqlite') {
      if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
      orm = await MikroORM.init({ ...common, driver: BetterSqliteDriver, dbName: config.path } as Options);
    } else {
      orm = await MikroORM.init({
        ...common,
        driver: PostgreSqlDriver,
        clientUrl: config.url,
        schema: config.schema,
        pool: {
          min: 1,
          max: 10,
          // Raw SQL names tables unqualified, so every connection searches the schema.
          afterCreate: (conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, c: unknown) => void) =>
            conn.query(`SET search_path TO "${config.schema ?? 'public'}"`, (err) => done(err, conn)),
        },
      } as Options);
    }
    const db = new Database(orm, config);
    if (config.kind === 'sqlite') {
      // WAL lets readers run beside the writer; synchronous=FULL fsyncs the WAL on
      // every commit, so an acknowledged append survives power loss, not just a crash.
      await db.run('PRAGMA journal_mode = WAL');
      await db.run(`PRAGMA synchronous = ${config.synchronous ?? 'FULL'}`);
      await db.run('PRAGMA busy_timeout = 5000');
    } else if (config.schema) {
      await db.run(`CREATE SCHEMA IF NOT EXISTS "${config.schema}"`);
    }
    await orm.schema.updateSchema({ safe: true, schema: config.kind === 'postgres' ? config.schema : undefined });
    return db;
  }

  async all<T = Row>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T[]> {
    if (this.sqlite) return (await this.sqlite.execute(tx, sql, params)).rows as T[];
    return (await this.orm.em.getConnection().execute(sql, params, 'all', tx)) as T[];
  }

  /** Rows as arrays of the selected columns, in order: for hot reads of many rows. */
  async rows(sql: string, params: unknown[] = [], tx?: Tx): Promise<unknown[][]> {
    if (this.sqlite) return (await this.sqlite.execute(tx, sql, params, true)).rows as unknown[][];
    // node-postgres keeps the selected order in each row's keys.
    return (await this.all<Row>(sql, params, tx)).map((r) => Object.values(r));
  }

  async get<T = Row>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params, tx);
    return rows[0];
  }

  async run(sql: string, params: unknown[] = [], tx?: Tx): Promise<number> {
    if (this.sqlite) return (await this.sqlite.execute(tx, sql, params)).changes;
    const res = (await this.orm.em.getConnection().execute(sql, params, 'run', tx)) as { affectedRows?: number };
    return res.affectedRows ?? 0;
  }

  /**
   * Runs `fn` in one transaction. PostgreSQL runs it SERIALIZABLE by default, so
   * projector instances deriving views from shared rows cannot write skew (the
   * loser retries); SQLite always serialises writers. The event store's writers
   * opt out: they take a lock first instead (EventStore.transaction).
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>, opts: { serializable?: boolean } = {}): Promise<T> {
    if (this.sqlite) return this.sqlite.transaction(fn);
    return this.orm.em.getConnection().transactional(fn, {
      isolationLevel: opts.serializable !== false ? ('serializable' as never) : undefined,
    });
  }

  /** Truncates tables (read-model rebuilds). */
  async truncate(tables: string[], tx?: Tx): Promise<void> {
    for (const t of tables) await this.run(`DELETE FROM ${t}`, [], tx);
  }

  async close(): Promise<void> {
    await this.orm.close(true);
  }
}

/** Errors that mean "another writer got there first": retry the command. */
export function isConflictError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; name?: string };
  if (e?.name === 'ConcurrencyError') return true;
  if (e?.code === '40001' || e?.code === '40P01' || e?.code === '23505') return true;
  return /UNIQUE constraint failed|SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE|could not serialize|deadlock detected|duplicate key/i.test(
    e?.message ?? '',
  );
}

