import { EntitySchema } from '@mikro-orm/core';

/**
 * Where each projection is, per source partition: `all` for the event store's
 * global position (embedded mode), or `<topic>:<partition>` for Kafka offsets.
 * Written in the same transaction as the read-model rows it covers.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const CheckpointTable = new EntitySchema<any>({
  name: 'CheckpointRow',
  tableName: 'checkpoints',
  properties: {
    projection: { type: 'string', length: 64, primary: true },
    partition: { type: 'string', length: 128, primary: true },
    position: { type: 'bigint' },
    version: { type: 'integer' },
  },
});
