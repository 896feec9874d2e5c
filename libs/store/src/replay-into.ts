import { AfterCommit, type Projection } from './projection';
import { ALL_PARTITION } from './store-projector';
import { writeCheckpoint } from './checkpoints';
import type { Database } from './db';
import type { EventStore } from './event-store';

/**
 * Replays the event store into an empty `db` from position 0 up to `until`
 * (inclusive) in one transaction with its checkpoint, as StoreProjector replays
 * from scratch (Projection.replayInOneTransaction): one batch, flushed once, so
 * the views are derived once from all the facts. The bound is what lets `verify`
 * compare with a live model that stands at some position.
 */
export async function replayInto(
  store: EventStore,
  db: Database,
  projection: Projection,
  until = Number.MAX_SAFE_INTEGER,
  batchSize = 500,
): Promise<number> {
  const handles = new Set<string>(projection.handles);
  let position = 0;
  await db.transaction(async (tx) => {
    const after = new AfterCommit({ batched: true, fromScratch: true }); // nobody watches a scratch model
    for (;;) {
      const events = (await store.readAll(position, batchSize)).filter((e) => e.metadata.position! <= until);
      if (events.length === 0) break;
      for (const e of events) if (handles.has(e.type)) await projection.apply(tx, e, after);
      position = events[events.length - 1].metadata.position!;
    }
    await after.flush();
    if (position > 0) await writeCheckpoint(db, tx, projection.name, ALL_PARTITION, { position, version: projection.version });
  });
  return position;
}

/**
 * Replays the events after `from` up to `until` (inclusive) into a model that
 * stands at `from` (a snapshot's copy), in transactions of `batchSize` events
 * with their checkpoint, as the projector would have applied them: what a model
 * looked like at `until` (time travel). Returns the position reached.
 */
export async function replayRange(
  store: EventStore,
  db: Database,
  projection: Projection,
  from: number,
  until: number,
  batchSize = 5_000,
): Promise<number> {
  const handles = new Set<string>(projection.handles);
  let position = from;
  while (position < until) {
    const events = (await store.readAll(position, batchSize)).filter((e) => e.metadata.position! <= until);
    if (events.length === 0) break;
    const last = events[events.length - 1].metadata.position!;
    await db.transaction(async (tx) => {
      const after = new AfterCommit({ batched: true }); // nobody watches a historical copy
      for (const e of events) if (handles.has(e.type)) await projection.apply(tx, e, after);
      await after.flush();
      await writeCheckpoint(db, tx, projection.name, ALL_PARTITION, { position: last, version: projection.version });
    });
    position = last;
  }
  return position;
}
