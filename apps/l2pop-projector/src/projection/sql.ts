import type { Database, Tx } from '@cp/store';

/** The read model's database bound to the current transaction, so handlers cannot forget `tx`. */
export class TxSql {
  constructor(
    readonly db: Database,
    readonly tx: Tx,
  ) {}

  all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.all<T>(sql, params, this.tx);
  }

  get<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return this.db.get<T>(sql, params, this.tx);
  }

  run(sql: string, params: unknown[] = []): Promise<number> {
    return this.db.run(sql, params, this.tx);
  }
}

/** `?, ?, ?` for an IN list. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
