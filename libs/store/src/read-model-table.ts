import { EntitySchema } from '@mikro-orm/core';

/*
 * The tables of a read model, declared once for both backends: rows are read and
 * written with raw SQL (flags as integers, lists as JSON text), so the schema is
 * only column types, keys and named secondary indexes.
 */
type Props = ConstructorParameters<typeof EntitySchema>[0]['properties'];

export const col = {
  str: (length: number, extra: object = {}) => ({ type: 'string', length, ...extra }),
  pk: (length: number) => ({ type: 'string', length, primary: true }),
  int: (extra: object = {}) => ({ type: 'integer', ...extra }),
  text: (extra: object = {}) => ({ type: 'text', ...extra }),
};

/** Index names are `<table>_<columns>_idx`. `model` prefixes the entity name, which must be unique in a process. */
export function readModelTable(model: string, tableName: string, properties: Props, indexes: string[][] = []): EntitySchema {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are read with raw SQL, not as entities
  return new EntitySchema<any>({
    name: `${model}_${tableName}`,
    tableName,
    properties,
    indexes: indexes.map((columns) => ({ properties: columns, name: indexName(tableName, columns) })),
  });
}

export function indexName(tableName: string, columns: readonly string[]): string {
  return `${tableName}_${columns.join('_')}_idx`;
}

/** Rows grouped by a key, in their order. */
export function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
