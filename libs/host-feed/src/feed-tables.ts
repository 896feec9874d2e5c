import { EntitySchema } from '@mikro-orm/core';

function table(tableName: string, properties: Record<string, object>): EntitySchema {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are read with raw SQL, not as entities
  return new EntitySchema<any>({ name: `Feed_${tableName}`, tableName, properties: properties as never });
}

/**
 * The tables behind one read model's per-host revisions; `prefix` names the
 * model (`l2`, `l3`). `truncated` are emptied with the model on a rebuild; the
 * epoch counter survives it.
 */
export function feedTables(prefix: string): { tables: EntitySchema[]; truncated: string[] } {
  const int = { type: 'integer' };
  return {
    tables: [
      table(`${prefix}_host_revs`, { host: { type: 'string', length: 255, primary: true }, rev: int, horizon: int }),
      table(`${prefix}_model`, { id: { type: 'integer', primary: true }, epoch: int }),
      table(`${prefix}_epochs`, { id: { type: 'integer', primary: true }, last_epoch: int }),
    ],
    truncated: [`${prefix}_host_revs`, `${prefix}_model`],
  };
}
