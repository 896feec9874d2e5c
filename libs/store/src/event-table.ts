import { EntitySchema } from '@mikro-orm/core';

/**
 * The append-only event table: the source of truth. `position` is the global
 * order; (stream_id, stream_version) is unique, which is what makes optimistic
 * concurrency safe across writers. Filter columns serve the audit API.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const EventTable = new EntitySchema<any>({
  name: 'StoredEventRow',
  tableName: 'events',
  properties: {
    position: { type: 'bigint', primary: true, autoincrement: true },
    eventId: { type: 'string', length: 36, fieldName: 'event_id', unique: true },
    streamId: { type: 'string', length: 200, fieldName: 'stream_id' },
    streamVersion: { type: 'integer', fieldName: 'stream_version' },
    type: { type: 'string', length: 64, index: true },
    schemaVersion: { type: 'integer', fieldName: 'schema_version' },
    resourceType: { type: 'string', length: 40, fieldName: 'resource_type' },
    resourceId: { type: 'string', length: 200, fieldName: 'resource_id' },
    projectId: { type: 'string', length: 64, fieldName: 'project_id', index: true },
    actor: { type: 'string', length: 255, index: true },
    requestId: { type: 'string', length: 64, fieldName: 'request_id', index: true },
    causationId: { type: 'string', length: 64, fieldName: 'causation_id', nullable: true },
    occurredAt: { type: 'string', length: 40, fieldName: 'occurred_at', index: true },
    data: { type: 'text' },
  },
  uniques: [{ properties: ['streamId', 'streamVersion'], name: 'events_stream_version_unique' }],
  indexes: [{ properties: ['resourceType', 'resourceId'], name: 'events_resource_idx' }],
});
