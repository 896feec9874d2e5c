import { EntitySchema } from '@mikro-orm/core';
import type { Database } from '../database';

/**
 * What the relay has had acknowledged by Kafka, per relay (topic). Lives in the
 * event store's database, so "published up to" and the events it refers to are
 * read from the same place.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const RelayOffsetTable = new EntitySchema<any>({
  name: 'RelayOffsetRow',
  tableName: 'relay_offsets',
  properties: {
    relay: { type: 'string', length: 128, primary: true },
    position: { type: 'bigint' },
  },
});

/**
 * Test aid: one row per (projection, event position) applied. The primary key
 * makes a second application of the same event fail its transaction loudly.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const AppliedLogTable = new EntitySchema<any>({
  name: 'AppliedLogRow',
  tableName: 'applied_log',
  properties: {
    projection: { type: 'string', length: 64, primary: true },
    position: { type: 'bigint', primary: true },
    partition: { type: 'string', length: 128 },
    offset: { type: 'bigint', fieldName: 'kafka_offset' },
  },
});

/**
 * Creates tables a component needs in a database someone else opened (the
 * API's write side does not know about the relay). MikroORM discovers the
 * schemas on that connection and its generator adds what is missing; `safe`
 * never drops anything. Instances starting at once may race to create the same
 * table, so a failure is retried after the other one has won.
 */
export async function ensureTables(db: Database, tables: EntitySchema[]): Promise<void> {
  const meta = db.orm.getMetadata();
  const missing = tables.filter((t) => !meta.find(t.meta.className));
  // Database.open created the tables it was given; only newcomers need the generator.
  if (missing.length === 0) return;
  db.orm.discoverEntity(missing);
  const schema = db.kind === 'postgres' ? (db.config as { schema?: string }).schema : undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      await db.orm.schema.updateSchema({ safe: true, schema });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}
