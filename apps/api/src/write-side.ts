import { join } from 'node:path';
import type { EntitySchema } from '@mikro-orm/core';
import { Database, EventStore, EventTable, type DatabaseConfig, type InlineProjection } from '../../../libs/store/src';
import { CommandRunner } from './platform/command-runner';
import { ResourceStore } from './read-model/resource-store';
import { ResourceTable } from './read-model/resource.table';
import { ResourcesProjection } from './read-model/resources.projection';
import { RESOURCE_MAPPERS, WRITE_INDEXES } from './read-model/registry';
import { SegmentAllocations, SegmentAllocationTable } from './networks/segment-allocations';

/**
 * The command side's storage: the event store plus everything maintained in the
 * same transaction as an append (the API's resource read model and the unique
 * indexes behind cross-aggregate invariants). The L3 scheduler opens the same
 * write side, so its decisions update those models exactly as API commands do.
 */
export interface WriteSide {
  db: Database;
  store: EventStore;
  runner: CommandRunner;
  resources: ResourceStore;
  segments: SegmentAllocations;
}

export function eventStoreConfig(s: {
  dataDir: string;
  eventStoreUrl?: string;
  eventStoreSchema?: string;
  sqliteSynchronous?: 'FULL' | 'NORMAL';
}): DatabaseConfig {
  return s.eventStoreUrl
    ? { kind: 'postgres', url: s.eventStoreUrl, schema: s.eventStoreSchema }
    : { kind: 'sqlite', path: join(s.dataDir, 'events.sqlite'), synchronous: s.sqliteSynchronous };
}

export async function openWriteSide(config: DatabaseConfig): Promise<WriteSide> {
  const tables: EntitySchema[] = [EventTable, ResourceTable, SegmentAllocationTable, ...WRITE_INDEXES.map((w) => w.table)];
  const db = await Database.open(config, tables);
  const store = new EventStore(db);
  const resources = new ResourceStore(db);
  const segments = new SegmentAllocations(db);
  const inline: InlineProjection[] = [new ResourcesProjection(resources, RESOURCE_MAPPERS), segments, ...WRITE_INDEXES.map((w) => w.create(db))];
  for (const p of inline) store.registerInline(p);
  return { db, store, runner: new CommandRunner(store), resources, segments };
}

export const WRITE_SIDE = Symbol('WRITE_SIDE');
