import type BetterSqlite3 from 'better-sqlite3';
import type { PoolClient } from 'pg';

/** What every transaction offers besides its connection: work to run once it has committed. */
abstract class TxHooks {
  private readonly committed: Array<() => void> = [];

  /** Runs `hook` after the transaction commits; never if it rolls back. */
  afterCommit(hook: () => void): void {
    this.committed.push(hook);
  }

  /** Called by the adapter once the commit is durable. */
  runCommitted(): void {
    for (const hook of this.committed.splice(0)) hook();
  }
}

/** A SQLite transaction: the database's one connection, inside BEGIN (its own savepoint in a commit group). */
export class SqliteTx extends TxHooks {
  readonly kind = 'sqlite';
  constructor(readonly conn: BetterSqlite3.Database) {
    super();
  }
}

/** A PostgreSQL transaction: one pooled client, held from BEGIN to COMMIT or ROLLBACK. */
export class PgTx extends TxHooks {
  readonly kind = 'postgres';
  constructor(readonly client: PoolClient) {
    super();
  }
}

/** A transaction of either adapter; each adapter accepts only its own. */
export type Tx = SqliteTx | PgTx;
