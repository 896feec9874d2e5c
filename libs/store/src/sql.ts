import type { Database } from './db/database';
import type { Tx } from './db/tx';

/** A database bound to one transaction, so no statement in a projection can forget `tx`. */
export class Sql {
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

  /** UPDATE the given columns of the rows matching `where`; nothing to set runs nothing. */
  update(table: string, set: Record<string, unknown>, where: Record<string, unknown>): Promise<number> {
    const cols = Object.keys(set);
    if (cols.length === 0) return Promise.resolve(0);
    return this.run(
      `UPDATE ${table} SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE ${Object.keys(where)
        .map((c) => `${c} = ?`)
        .join(' AND ')}`,
      [...Object.values(set), ...Object.values(where)],
    );
  }

  /** INSERT or, on a key clash, UPDATE the other columns: the same statement on SQLite and PostgreSQL. */
  upsert(table: string, keys: Record<string, unknown>, values: Record<string, unknown>): Promise<number> {
    const cols = [...Object.keys(keys), ...Object.keys(values)];
    const update = Object.keys(values).map((c) => `${c} = excluded.${c}`);
    return this.run(
      `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${placeholders(cols.length)})
       ON CONFLICT (${Object.keys(keys).join(', ')}) DO ${update.length ? `UPDATE SET ${update.join(', ')}` : 'NOTHING'}`,
      [...Object.values(keys), ...Object.values(values)],
    );
  }
}

/** `?, ?, ?` for an IN list of `n`. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** Runs `fn` over `ids` in IN-list sized chunks and concatenates the rows. */
export async function inChunks<T>(ids: readonly string[], fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await fn(ids.slice(i, i + 500))));
  return out;
}

/** Code-unit order: the same on every machine and backend (PostgreSQL collations differ from SQLite's). */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `items` in chunks whose sizes are powers of two (largest first, at most
 * `max`): a multi-row statement then has only a few shapes, each prepared once
 * per PostgreSQL connection, whatever the number of rows.
 */
export function binaryChunks<T>(items: readonly T[], max = 512): T[][] {
  const out: T[][] = [];
  let i = 0;
  while (i < items.length) {
    const size = Math.min(max, 2 ** Math.floor(Math.log2(items.length - i)));
    out.push(items.slice(i, i + size));
    i += size;
  }
  return out;
}
