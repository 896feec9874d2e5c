import BetterSqlite3 from 'better-sqlite3';
import type { EntitySchema } from '@mikro-orm/core';
import { Database, type DatabaseConfig, type Row } from './database';
import { syncSchema } from './schema';
import { SqliteTx, type Tx } from './tx';

type SqliteConfig = Extract<DatabaseConfig, { kind: 'sqlite' }>;
type Queued = { fn: (tx: Tx) => Promise<unknown>; resolve(v: unknown): void; reject(e: unknown): void };

/**
 * The SQLite adapter: one better-sqlite3 connection per database file, in WAL
 * mode, with statements prepared once and cached (profiling showed most of a
 * command's time in a query builder's per-call work and in re-preparing SQL).
 *
 * Transactions commit in groups. SQLite runs one writer at a time anyway, and a
 * COMMIT writes every page the transaction touched to the WAL; transactions
 * queued behind a running one join its SQLite transaction, each in its own
 * savepoint, so the shared pages (the events table's last leaf, its index
 * tails) are written once per group. Each caller still sees exactly its own
 * outcome: a failed one is rolled back to its savepoint and rejected at once (it
 * wrote nothing), and a successful one resolves only after the group's COMMIT,
 * so nothing is acknowledged before it is durable. Alone, a caller waits one
 * turn of the event loop for company, then commits.
 *
 * A statement outside a transaction waits for the connection, so it never sees
 * another caller's uncommitted writes.
 */
export class SqliteDatabase extends Database {
  readonly kind = 'sqlite';
  /** Bounded, so reads waiting for the connection are not starved by a stream of writers. */
  private static readonly MAX_GROUP = 32;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly queued: Queued[] = [];
  private leading = false;
  /** The connection's holder (a commit group or one statement) and who waits for it, first come first served. */
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  private constructor(
    override readonly config: SqliteConfig,
    private readonly conn: BetterSqlite3.Database,
  ) {
    super(config);
  }

  static async connect(config: SqliteConfig, entities: EntitySchema[]): Promise<SqliteDatabase> {
    if (config.path === ':memory:') throw new Error('SQLite databases are files: the schema is made on a connection of its own');
    await syncSchema(config, entities);
    const conn = new BetterSqlite3(config.path);
    // WAL lets readers run beside the writer; synchronous=FULL fsyncs the WAL on
    // every commit, so an acknowledged append survives power loss, not just a crash.
    conn.pragma('journal_mode = WAL');
    conn.pragma(`synchronous = ${config.synchronous ?? 'FULL'}`);
    conn.pragma('busy_timeout = 5000');
    // SQLite's default page cache is 2 MB: a read model of hundreds of MB then rereads the
    // same B-tree pages on every batch. 64 MiB is an upper bound, filled only as pages are used.
    conn.pragma('cache_size = -65536');
    return new SqliteDatabase(config, conn);
  }

  async all<T = Row>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T[]> {
    return (await this.execute(tx, sql, params, false)).rows as T[];
  }

  async rows(sql: string, params: unknown[] = [], tx?: Tx): Promise<unknown[][]> {
    return (await this.execute(tx, sql, params, true)).rows as unknown[][];
  }

  async run(sql: string, params: unknown[] = [], tx?: Tx): Promise<number> {
    return (await this.execute(tx, sql, params, false)).changes;
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ fn, resolve, reject });
      if (!this.leading) void this.lead();
    });
  }

  async ensureTables(tables: EntitySchema[]): Promise<void> {
    // The schema is made on a connection of its own, while this one holds no
    // transaction (its lock would make that connection wait on this very thread).
    await this.acquire();
    try {
      await syncSchema(this.config, tables);
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    await this.acquire();
    this.conn.close();
  }

  private async lead(): Promise<void> {
    this.leading = true;
    try {
      while (this.queued.length > 0) {
        await this.acquire();
        try {
          await this.commitGroup();
        } finally {
          this.release();
        }
      }
    } catch (err) {
      for (const q of this.queued.splice(0)) q.reject(err);
    } finally {
      this.leading = false;
    }
  }

  private async commitGroup(): Promise<void> {
    const done: Array<{ q: Queued; value: unknown; tx: SqliteTx }> = [];
    /** Callers whose writes are in the open transaction: the group's failure is theirs. */
    const joined: Array<{ reject(e: unknown): void }> = [];
    this.statement('BEGIN').run();
    try {
      for (let waited = false; done.length < SqliteDatabase.MAX_GROUP;) {
        if (this.queued.length === 0) {
          if (waited || done.length === 0) break;
          // A transaction runs within one turn of the event loop (better-sqlite3 is
          // synchronous), so nothing could have queued meanwhile: give requests
          // already read one turn to join before paying for a COMMIT.
          waited = true;
          await new Promise((r) => setImmediate(r));
          continue;
        }
        const q = this.queued.shift()!;
        joined.push(q);
        this.statement('SAVEPOINT command').run();
        const tx = new SqliteTx(this.conn);
        try {
          const value = await q.fn(tx);
          this.statement('RELEASE command').run();
          done.push({ q, value, tx });
        } catch (err) {
          // Undo this caller's writes only; if SQLite already rolled everything back (e.g. disk full), fail the group.
          if (!this.conn.inTransaction) throw err;
          this.statement('ROLLBACK TO command').run();
          this.statement('RELEASE command').run();
          joined.pop();
          q.reject(err);
        }
      }
      this.statement('COMMIT').run();
    } catch (err) {
      for (const j of joined) j.reject(err);
      if (this.conn.inTransaction) this.statement('ROLLBACK').run();
      return;
    }
    for (const d of done) {
      d.tx.runCommitted();
      d.q.resolve(d.value);
    }
  }

  private async execute(tx: Tx | undefined, sql: string, params: unknown[], raw: boolean): Promise<{ rows: unknown[]; changes: number }> {
    if (tx) return this.executeOn(this.own(tx), sql, params, raw);
    await this.acquire();
    try {
      return this.executeOn(this.conn, sql, params, raw);
    } finally {
      this.release();
    }
  }

  /** `raw`: rows as arrays of column values (no object per row: reading the event log, that halved the time). */
  private executeOn(conn: BetterSqlite3.Database, sql: string, params: unknown[], raw: boolean): { rows: unknown[]; changes: number } {
    const statement = this.statement(sql, raw);
    // better-sqlite3 binds no booleans or undefined: store them as integers and NULL.
    const bound = params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : p));
    if (statement.reader) return { rows: statement.all(...bound), changes: 0 };
    return { rows: [], changes: statement.run(...bound).changes };
  }

  private own(tx: Tx): BetterSqlite3.Database {
    if (!(tx instanceof SqliteTx) || tx.conn !== this.conn) throw new Error('a transaction of another database was passed to SQLite');
    return tx.conn;
  }

  private statement(sql: string, raw = false): BetterSqlite3.Statement {
    // A statement's mode is its own: the raw one is a second statement of the same SQL.
    const key = raw ? `raw:${sql}` : sql;
    let statement = this.statements.get(key);
    if (!statement) {
      if (this.statements.size >= 5000) this.statements.clear(); // bound memory if callers ever build SQL dynamically
      statement = this.conn.prepare(sql);
      if (raw) statement.raw(true);
      this.statements.set(key, statement);
    }
    return statement;
  }

  private acquire(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}
