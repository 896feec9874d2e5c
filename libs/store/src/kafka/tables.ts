import { EntitySchema } from '@mikro-orm/core';

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
