import type { Database, Tx } from '@cp/store';

/** The read model's database bound to one transaction, so no statement can forget `tx`. */
export class Sql {
  constructor(
    readonly db: Database,
    readonly tx: Tx,
  ) {}

  all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.all<T>(sql, params, this.tx);
  }

  async get<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  run(sql: string, params: unknown[] = []): Promise<number> {
    return this.db.run(sql, params, this.tx);
  }

  /** INSERT or, on a key clash, UPDATE the other columns: the same statement on SQLite and PostgreSQL. */
  upsert(table: string, keys: Record<string, unknown>, values: Record<string, unknown>): Promise<number> {
    const cols = [...Object.keys(keys), ...Object.keys(values)];
    const update = Object.keys(values).map((c) => `${c} = excluded.${c}`);
    return this.run(
      `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
       ON CONFLICT (${Object.keys(keys).join(', ')}) DO ${update.length ? `UPDATE SET ${update.join(', ')}` : 'NOTHING'}`,
      [...Object.values(keys), ...Object.values(values)],
    );
  }
}

export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Runs `fn` over `ids` in IN-list sized chunks and concatenates the rows. */
export async function inChunks<T>(ids: readonly string[], fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await fn(ids.slice(i, i + 500))));
  return out;
}

/** Code-unit order: the same on every machine and backend (PostgreSQL collations differ from SQLite's). */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
