import { join } from 'node:path';
import type { EntitySchema } from '@mikro-orm/core';
import {
  CheckpointTable,
  type Database,
  EventStore,
  EventTable,
  readCheckpoint,
  writeCheckpoint,
  type DatabaseConfig,
  type InlineProjection,
  openDatabase,
} from '@cp/store';
import { CommandRunner } from './command-runner';
import { ResourceStore } from './resources/resource-store';
import { ResourceTable } from './resources/resource.table';
import { ResourcesProjection } from './resources/resources.projection';
import { OPERATIONAL_TABLES, RESOURCE_MAPPERS, WRITE_INDEXES } from './resources/registry';
import { SegmentAllocations, SegmentAllocationTable } from './indexes/segment-allocations';

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

/** Bump when an inline model's code changes what it derives: the next start rebuilds them from the events. */
export const INLINE_MODELS_VERSION = 5;

const INLINE_TABLES: EntitySchema[] = [ResourceTable, SegmentAllocationTable, ...WRITE_INDEXES.flatMap((w) => w.tables)];

/** Every table of the write side's database; tests that share one database add their own beside these. */
export const WRITE_SIDE_TABLES: EntitySchema[] = [EventTable, CheckpointTable, ...OPERATIONAL_TABLES, ...INLINE_TABLES];

export async function openWriteSide(config: DatabaseConfig): Promise<WriteSide> {
  return writeSideOn(await openDatabase(config, WRITE_SIDE_TABLES));
}

/** The write side over a database opened with (at least) WRITE_SIDE_TABLES. */
export async function writeSideOn(db: Database): Promise<WriteSide> {
  const store = new EventStore(db);
  const resources = new ResourceStore(db);
  const segments = new SegmentAllocations(db);
  const inline: InlineProjection[] = [
    new ResourcesProjection(resources, RESOURCE_MAPPERS),
    segments,
    ...WRITE_INDEXES.map((w) => w.create(db)),
  ];
  for (const p of inline) store.registerInline(p);
  await rebuildInlineIfStale(
    db,
    store,
    INLINE_TABLES.map((t) => t.meta.tableName),
  );
  return { db, store, runner: new CommandRunner(store), resources, segments };
}

export const WRITE_SIDE = Symbol('WRITE_SIDE');

async function rebuildInlineIfStale(db: Database, store: EventStore, tableNames: string[]): Promise<void> {
  const cp = await readCheckpoint(db, 'inline-models', 'all');
  if (cp?.version === INLINE_MODELS_VERSION) return;
  // No writer runs meanwhile; an instance that waited here finds the work done.
  await store.exclusive(async (tx) => {
    if ((await readCheckpoint(db, 'inline-models', 'all', tx))?.version === INLINE_MODELS_VERSION) return;
    await db.truncate(tableNames, tx);
    const position = await store.replayInline(tx);
    await writeCheckpoint(db, tx, 'inline-models', 'all', { position, version: INLINE_MODELS_VERSION });
  });
}
