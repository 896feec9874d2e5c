import {
  AfterCommit,
  ALL_PARTITION,
  writeCheckpoint,
  type Database,
  type EventStore,
  type Projection,
} from '../../../../libs/store/src';

/**
 * Replays the event store into `db` from position 0 up to `until` (inclusive),
 * committing each batch with its checkpoint like StoreProjector does. The bound
 * is what lets `verify` compare with a live model that stands at some position.
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
  for (;;) {
    const events = (await store.readAll(position, batchSize)).filter((e) => e.metadata.position! <= until);
    if (events.length === 0) return position;
    const last = events[events.length - 1].metadata.position!;
    await db.transaction(async (tx) => {
      const after = new AfterCommit(); // nobody watches a scratch model
      for (const e of events) if (handles.has(e.type)) await projection.apply(tx, e, after);
      await writeCheckpoint(db, tx, projection.name, ALL_PARTITION, { position: last, version: projection.version });
    });
    position = last;
  }
}
