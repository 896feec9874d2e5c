import BetterSqlite3 from 'better-sqlite3';
import { CATALOGUE, type DomainEvent } from '@cp/events';
import { CheckpointTable, EventTable, resourceOf, openDatabase } from '@cp/store';
import type { Stamped } from './bodies';
import { uuidOf } from './rng';

const EVENT_ID_KIND = 15;

/**
 * Writes a generated stream into a SQLite event store (the schema the store
 * creates, rows as EventStore.append writes them), fast: one prepared INSERT in
 * transactions of 10k rows, stream versions kept in memory. The per-command
 * append path is what the `api` scenario measures; here only the projections
 * are, so loading a million events should take seconds, not minutes.
 */
export async function bulkLoad(path: string, events: Iterable<Stamped>, onProgress?: (n: number) => void): Promise<number> {
  const schema = await openDatabase({ kind: 'sqlite', path, synchronous: 'NORMAL' }, [EventTable, CheckpointTable]);
  await schema.close();
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const head = Number((db.prepare('SELECT MAX(position) AS p FROM events').get() as { p: number | null }).p ?? 0);
  const versions = new Map<string, number>();
  for (const row of db.prepare('SELECT stream_id, MAX(stream_version) AS v FROM events GROUP BY stream_id').iterate() as Iterable<{
    stream_id: string;
    v: number;
  }>) {
    versions.set(row.stream_id, row.v);
  }
  const insert = db.prepare(
    `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, resource_type, resource_id,
       project_id, actor, request_id, causation_id, occurred_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let n = 0;
  let batch: Stamped[] = [];
  const flush = db.transaction((rows: Stamped[]) => {
    for (const { streamId, body } of rows) {
      const version = (versions.get(streamId) ?? 0) + 1;
      versions.set(streamId, version);
      const position = head + ++n;
      const [resourceType, resourceId] = resourceOf({ ...body, metadata: { streamId } } as DomainEvent);
      const projectId = (body.data as { projectId?: string }).projectId ?? '';
      // One second per 1000 events from a fixed origin: plausible, and the same on every run.
      const at = new Date(Date.UTC(2025, 0, 1) + position).toISOString();
      insert.run(
        uuidOf(EVENT_ID_KIND, position),
        streamId,
        version,
        body.type,
        CATALOGUE[body.type].schemaVersion,
        resourceType,
        resourceId,
        projectId,
        'bench',
        `req-bench-${position}`,
        null,
        at,
        JSON.stringify(body.data),
      );
    }
  });
  for (const e of events) {
    batch.push(e);
    if (batch.length === 10_000) {
      flush(batch);
      batch = [];
      onProgress?.(n);
    }
  }
  flush(batch);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return n;
}
