import type { EntitySchema } from '@mikro-orm/core';
import type { Tx } from './tx';

export type DatabaseConfig = (
  { kind: 'sqlite'; path: string; synchronous?: 'FULL' | 'NORMAL' } | { kind: 'postgres'; url: string; schema?: string }
) & {
  /**
   * Apply the event log's pending migrations to an existing store (`controlplane migrate`, restore).
   * Without it, a store that has some pending is refused (PendingMigrationsError); a new one is created.
   */
  migrate?: boolean;
};

export type Row = Record<string, unknown>;

/**
 * The database port every store and read model talks to: portable SQL with `?`
 * placeholders, run inside a transaction when one is given. Two adapters
 * implement it, SQLite (better-sqlite3, embedded mode) and PostgreSQL (pg,
 * distributed mode); tables are created by MikroORM's schema generator from
 * entity schemas, and the event store's own tables by versioned migrations
 * (open-database.ts).
 */
export interface TransactionOptions {
  /** False: READ COMMITTED on PostgreSQL (each statement sees what committed before it). */
  serializable?: boolean;
  /**
   * Names this transaction queues behind on PostgreSQL, across every process
   * on the database: one holder of a name at a time, taken before the
   * transaction's snapshot, so the holder reads what the previous one
   * committed. For writers that would otherwise all conflict on one hot row and
   * retry (addresses of one subnet). SQLite has one writer anyway.
   */
  queueOn?: readonly string[];
}

export abstract class Database {
  abstract readonly kind: DatabaseConfig['kind'];

  constructor(readonly config: DatabaseConfig) {}

  abstract all<T = Row>(sql: string, params?: unknown[], tx?: Tx): Promise<T[]>;

  /** Rows as arrays of the selected columns, in order: for hot reads of many rows. */
  abstract rows(sql: string, params?: unknown[], tx?: Tx): Promise<unknown[][]>;

  /** Runs a statement; resolves to the number of rows it changed. */
  abstract run(sql: string, params?: unknown[], tx?: Tx): Promise<number>;

  /**
   * Runs `fn` in one transaction; `tx.afterCommit` hooks run once it is durable.
   * PostgreSQL runs it SERIALIZABLE by default, so projector instances deriving
   * views from shared rows cannot write skew (the loser retries); SQLite always
   * serialises writers.
   */
  abstract transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: TransactionOptions): Promise<T>;

  /** Creates the tables of `tables` that this database lacks (a component joining a database someone else opened). */
  abstract ensureTables(tables: EntitySchema[]): Promise<void>;

  abstract close(): Promise<void>;

  async get<T = Row>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T | undefined> {
    return (await this.all<T>(sql, params, tx))[0];
  }

  /** Empties tables (read-model rebuilds). */
  async truncate(tables: readonly string[], tx?: Tx): Promise<void> {
    for (const t of tables) await this.run(`DELETE FROM ${t}`, [], tx);
  }
}
