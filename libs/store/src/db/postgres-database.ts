import type { EntitySchema } from '@mikro-orm/core';
import { Pool, type PoolClient, type QueryArrayConfig, type QueryConfig } from 'pg';
import { Database, type DatabaseConfig, type Row, type TransactionOptions } from './database';
import { syncSchema } from './schema';
import { PgTx, type Tx } from './tx';

/** First key of the queues' advisory locks (`TransactionOptions.queueOn`); the two-key form keeps them apart from the positions' (M002). */
const QUEUE_LOCKS = 724203;

type PostgresConfig = Extract<DatabaseConfig, { kind: 'postgres' }>;

/**
 * The PostgreSQL adapter: a node-postgres pool whose connections search the
 * configured schema (SQL names tables unqualified), with `?` placeholders
 * numbered as PostgreSQL wants them.
 */
export class PostgresDatabase extends Database {
  readonly kind = 'postgres';
  /** Each statement's numbered text and its prepared statement's name. */
  private readonly numbered = new Map<string, { text: string; name: string }>();
  private statements = 0;

  private constructor(
    override readonly config: PostgresConfig,
    private readonly pool: Pool,
  ) {
    super(config);
  }

  static async connect(config: PostgresConfig, entities: EntitySchema[]): Promise<PostgresDatabase> {
    await syncSchema(config, entities);
    const pool = new Pool({
      connectionString: config.url,
      max: 10,
      // Schema names are checked where they are configured (a bare identifier), so quoting suffices.
      options: `-c search_path="${config.schema ?? 'public'}"`,
    });
    // An idle connection that breaks (the server restarted) is dropped by the pool;
    // the next query opens a new one. Without a listener the error would end the process.
    pool.on('error', () => undefined);
    return new PostgresDatabase(config, pool);
  }

  async all<T = Row>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T[]> {
    return (await this.query({ ...this.statement(sql), values: params }, tx)).rows as T[];
  }

  async rows(sql: string, params: unknown[] = [], tx?: Tx): Promise<unknown[][]> {
    return (await this.query({ ...this.statement(sql), values: params, rowMode: 'array' }, tx)).rows as unknown[][];
  }

  async run(sql: string, params: unknown[] = [], tx?: Tx): Promise<number> {
    return (await this.query({ ...this.statement(sql), values: params }, tx)).rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // A connection lost mid-transaction fails the statement in flight; without a
    // listener the client's 'error' event would also end the process.
    const lost = () => (broken = true);
    client.on('error', lost);
    // In one order everywhere, so two queues never wait on each other crosswise.
    const queues = [...new Set(opts.queueOn ?? [])].sort();
    try {
      for (const name of queues)
        await client.query(`SELECT pg_advisory_lock(${QUEUE_LOCKS}, hashtext(current_schema() || ':' || $1))`, [name]);
      await client.query(opts.serializable === false ? 'BEGIN' : 'BEGIN ISOLATION LEVEL SERIALIZABLE');
      const tx = new PgTx(client);
      let value: T;
      try {
        value = await fn(tx);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw err;
      }
      tx.runCommitted();
      return value;
    } finally {
      // Session locks outlive the transaction: drop the queues' (a broken connection drops them itself).
      if (queues.length > 0 && !broken) await client.query('SELECT pg_advisory_unlock_all()').catch(() => (broken = true));
      // A connection that broke or could not even roll back is not given to the next caller.
      client.off('error', lost);
      client.release(broken);
    }
  }

  async ensureTables(tables: EntitySchema[]): Promise<void> {
    await syncSchema(this.config, tables);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  // pg sends undefined as NULL already; nothing else needs converting.
  private query(config: QueryConfig | QueryArrayConfig, tx: Tx | undefined): Promise<{ rows: unknown[]; rowCount: number | null }> {
    return tx ? this.own(tx).query(config as QueryConfig) : this.pool.query(config as QueryConfig);
  }

  private own(tx: Tx): PoolClient {
    if (!(tx instanceof PgTx)) throw new Error('a transaction of another database was passed to PostgreSQL');
    return tx.client;
  }

  /**
   * `?` -> `$1, $2, ...` (statements are written with `?`, as SQLite takes them;
   * none has a `?` of its own), and a name: each connection prepares a named
   * statement once and then only binds it, so PostgreSQL plans it once per
   * connection (planning the read side's joins cost more than running them).
   * Names are never reused for another text.
   */
  private statement(sql: string): { text: string; name: string } {
    let s = this.numbered.get(sql);
    if (s === undefined) {
      let n = 0;
      s = { text: sql.replace(/\?/g, () => `$${++n}`), name: `cp${++this.statements}` };
      if (this.numbered.size >= 5000) this.numbered.clear();
      this.numbered.set(sql, s);
    }
    return s;
  }
}
