import type { MikroORM } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';

/** As Database's Tx: for SQLite, a SqliteTx in its clothes. */
type Tx = Knex.Transaction;

type SqliteStatement = { reader: boolean; all(...p: unknown[]): unknown[]; run(...p: unknown[]): { changes: number }; raw(on: boolean): SqliteStatement };
type SqliteConnection = { prepare(sql: string): SqliteStatement; readonly inTransaction: boolean };
/** The ORM's connection pool (knex's client): SQLite has one connection, shared with the ORM. */
type SqlitePool = { acquireConnection(): Promise<SqliteConnection>; releaseConnection(conn: SqliteConnection): Promise<unknown> };

/** A SQLite transaction: the one connection, held from BEGIN to COMMIT/ROLLBACK. */
class SqliteTx {
  constructor(readonly conn: SqliteConnection) {}
}

/**
 * Database's SQLite side: statements and transactions straight on the ORM
 * pool's one better-sqlite3 connection (the ORM still creates the schema).
 */
export class SqliteAccess {
  constructor(private readonly orm: MikroORM) {}

  /**
   * SQLite transactions run every statement on the pool's one connection
   * directly: profiling the command side showed the ORM's transaction machinery
   * (a knex transactor per transaction, BEGIN and COMMIT prepared each time)
   * costing more than the command's own statements.
   *
   * They also commit in groups. SQLite runs one writer at a time anyway, and a
   * COMMIT writes every page the transaction touched to the WAL; transactions
   * queued behind a running one join its SQLite transaction, each in its own
   * savepoint, so the shared pages (the events table's last leaf, its index
   * tails) are written once per group. Each caller still sees exactly its own
   * outcome: a failed one is rolled back to its savepoint and rejected at once
   * (it wrote nothing), and a successful one resolves only after the group's
   * COMMIT, so nothing is acknowledged before it is durable. Alone, a caller
   * waits one turn of the event loop for company, then commits. BEGIN is
   * deferred, as the ORM's was.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.leading) void this.lead();
    });
  }

  private readonly queued: Array<{ fn: (tx: Tx) => Promise<unknown>; resolve(v: unknown): void; reject(e: unknown): void }> = [];
  private leading = false;

  private async lead(): Promise<void> {
    this.leading = true;
    try {
      while (this.queued.length > 0) {
        const pool = this.sqlitePool();
        const conn = await pool.acquireConnection();
        try {
          await this.commitGroup(conn);
        } finally {
          await pool.releaseConnection(conn);
        }
      }
    } catch (err) {
      for (const q of this.queued.splice(0)) q.reject(err);
    } finally {
      this.leading = false;
    }
  }

  /** Bounded, so reads waiting for the connection are not starved by a stream of writers. */
  private static readonly MAX_GROUP = 32;

  private async commitGroup(conn: SqliteConnection): Promise<void> {
    const done: Array<{ resolve(v: unknown): void; value: unknown }> = [];
    /** Callers whose writes are in the open transaction: the group's failure is theirs. */
    const joined: Array<{ reject(e: unknown): void }> = [];
    this.statement(conn, 'BEGIN').run();
    try {
      for (let waited = false; done.length < SqliteAccess.MAX_GROUP; ) {
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
        this.statement(conn, 'SAVEPOINT command').run();
        try {
          const value = await q.fn(new SqliteTx(conn) as unknown as Tx);
          this.statement(conn, 'RELEASE command').run();
          done.push({ resolve: q.resolve, value });
        } catch (err) {
          // Undo this caller's writes only; if SQLite already rolled everything back (e.g. disk full), fail the group.
          if (!conn.inTransaction) throw err;
          this.statement(conn, 'ROLLBACK TO command').run();
          this.statement(conn, 'RELEASE command').run();
          joined.pop();
          q.reject(err);
        }
      }
      this.statement(conn, 'COMMIT').run();
    } catch (err) {
      for (const j of joined) j.reject(err);
      if (conn.inTransaction) this.statement(conn, 'ROLLBACK').run();
      return;
    }
    for (const d of done) d.resolve(d.value);
  }

  private sqlitePool(): SqlitePool {
    return (this.orm.em.getConnection() as unknown as { getKnex(): { client: SqlitePool } }).getKnex().client;
  }

  /**
   * SQLite statements go straight to better-sqlite3, prepared once per
   * connection and cached: profiling showed most time in the query builder's
   * per-call work and in re-preparing the same SQL (outside a transaction the
   * ORM even inlines the parameters, so nothing could be reused). A statement
   * outside a transaction waits for the connection like the ORM's did, so a read
   * never sees another command's uncommitted writes.
   */
  async execute(tx: Tx | undefined, sql: string, params: unknown[], raw = false): Promise<{ rows: unknown[]; changes: number }> {
    if (tx) return this.executeOn((tx as unknown as SqliteTx).conn, sql, params, raw);
    const pool = this.sqlitePool();
    const conn = await pool.acquireConnection();
    try {
      return this.executeOn(conn, sql, params, raw);
    } finally {
      await pool.releaseConnection(conn);
    }
  }

  /** `raw`: rows as arrays of column values (no object per row: reading the event log, that halved the time). */
  private executeOn(conn: SqliteConnection, sql: string, params: unknown[], raw: boolean): { rows: unknown[]; changes: number } {
    const statement = this.statement(conn, sql, raw);
    // better-sqlite3 binds no booleans or undefined; store them as SQLite does through the ORM.
    const bound = params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : p));
    if (statement.reader) return { rows: statement.all(...bound), changes: 0 };
    return { rows: [], changes: statement.run(...bound).changes };
  }

  private statement(conn: SqliteConnection, sql: string, raw = false): SqliteStatement {
    let cache = this.statements.get(conn);
    if (!cache) this.statements.set(conn, (cache = new Map()));
    // A statement's mode is its own: the raw one is a second statement of the same SQL.
    const key = raw ? `raw:${sql}` : sql;
    let statement = cache.get(key);
    if (!statement) {
      if (cache.size >= 5000) cache.clear(); // bound memory if callers ever build SQL dynamically
      statement = conn.prepare(sql);
      if (raw) statement.raw(true);
      cache.set(key, statement);
    }
    return statement;
  }

  private readonly statements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();
}
