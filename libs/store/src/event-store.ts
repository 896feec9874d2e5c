import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readEvent, type CommandContext, type DomainEvent, type DomainEventBody, CATALOGUE } from '@cp/events';
import type { Database, Tx } from './db';
import { inChunks, placeholders } from './sql';

export interface StreamAppend {
  streamId: string;
  /** Version the caller folded its decision from; 0 for a new stream; 'any' skips the check. */
  expectedVersion: number | 'any';
  events: DomainEventBody[];
}

export class ConcurrencyError extends Error {
  override name = 'ConcurrencyError';
}

/** Runs in the append transaction: write-side indexes and the API's read model. */
export interface InlineProjection {
  readonly name: string;
  apply(tx: Tx, event: DomainEvent): Promise<void>;
}

interface EventRow {
  position: number | string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  project_id: string;
  actor: string;
  request_id: string;
  causation_id: string | null;
  occurred_at: string;
  data: string;
}

/** Taken in shared mode by every writer on PostgreSQL, exclusively by `exclusive` (with the schema's hash as second key). */
const WRITERS_LOCK = 724201;

/** Transactions that joined the writers already (append joins again when called inside `transaction`). */
const joined = new WeakSet<Tx>();

/** What an append writes besides the position, in `rowOf`'s order. */
const INSERT_COLUMNS =
  'event_id, stream_id, stream_version, type, schema_version, resource_type, resource_id, project_id, actor, request_id, causation_id, occurred_at, data';

const COLUMNS =
  'position, event_id, stream_id, stream_version, type, schema_version, project_id, actor, request_id, causation_id, occurred_at, data';

/**
 * Append-only store with a global position and per-stream optimistic concurrency.
 * A command's events, across any number of streams, are appended in one
 * transaction together with the inline projections: all or nothing.
 */
export class EventStore {
  private readonly emitter = new EventEmitter();
  private inline: InlineProjection[] = [];

  constructor(readonly db: Database) {
    this.emitter.setMaxListeners(0);
  }

  registerInline(projection: InlineProjection): void {
    this.inline.push(projection);
  }

  /**
   * Re-derives every inline model from position 0 (after their tables were
   * emptied): used when their code version changed, so they never drift from
   * the events.
   */
  async replayInline(tx: Tx, batchSize = 2000): Promise<number> {
    let after = 0;
    for (;;) {
      const events = await this.readAll(after, batchSize, tx);
      for (const e of events) for (const p of this.inline) await p.apply(tx, e);
      if (events.length > 0) after = events[events.length - 1].metadata.position!;
      if (events.length < batchSize) return after;
    }
  }

  /** Calls back with the new head position after every commit that appended events. */
  onAppended(listener: (head: number) => void): () => void {
    this.emitter.on('appended', listener);
    return () => this.emitter.off('appended', listener);
  }

  /**
   * A write transaction. On PostgreSQL it runs SERIALIZABLE, so check-then-append
   * on facts read in it is atomic without queueing writers behind one lock:
   * when two transactions' reads and writes cross, one fails and the command
   * runner re-runs it. Writers that would all contend for one hot row (the
   * free addresses of a network's subnets) name it in `queueOn` and take turns
   * instead. It joins the writers in shared mode, so maintenance that
   * must see no writer at all (`exclusive`) waits for it. Appends are announced
   * to subscribers once their transaction commits.
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>, opts: { queueOn?: readonly string[] } = {}): Promise<T> {
    return this.db.transaction(
      async (tx) => {
        await this.joinWriters(tx);
        return fn(tx);
      },
      { queueOn: opts.queueOn },
    );
  }

  /**
   * A transaction no writer runs beside: re-deriving the inline models from the
   * log, and a command that kept conflicting (CommandRunner's last attempts). On
   * PostgreSQL it waits for the writers in flight and holds new ones off until
   * it ends, so it cannot conflict. SQLite has one writer at a time anyway.
   */
  async exclusive<T>(fn: (tx: Tx) => Promise<T>, opts: { queueOn?: readonly string[] } = {}): Promise<T> {
    return this.db.transaction(
      async (tx) => {
        if (this.db.kind === 'postgres')
          await this.db.run(`SELECT pg_advisory_xact_lock(${WRITERS_LOCK}, hashtext(current_schema()))`, [], tx);
        return fn(tx);
      },
      // Each statement sees what committed before it, so the writers waited for are seen.
      { serializable: false, queueOn: opts.queueOn },
    );
  }

  async append(appends: StreamAppend[], ctx: CommandContext, tx: Tx): Promise<DomainEvent[]> {
    const pending = appends.filter((a) => a.events.length > 0);
    if (pending.length === 0) return [];
    await this.joinWriters(tx);
    const stored: DomainEvent[] = [];
    // A stream may appear more than once in one append: its later parts follow on from the earlier.
    const versions = new Map<string, number>();
    for (const a of pending) {
      const current = versions.get(a.streamId) ?? (await this.streamVersion(a.streamId, tx));
      if (a.expectedVersion !== 'any' && current !== a.expectedVersion) {
        throw new ConcurrencyError(`stream ${a.streamId} is at version ${current}, expected ${a.expectedVersion}`);
      }
      let version = current;
      for (const body of a.events) {
        version += 1;
        const metadata = {
          eventId: randomUUID(),
          schemaVersion: CATALOGUE[body.type].schemaVersion,
          streamId: a.streamId,
          streamVersion: version,
          projectId: ctx.projectId,
          actor: ctx.actor,
          requestId: ctx.requestId,
          causationId: ctx.causationId,
          occurredAt: ctx.now,
        };
        stored.push({ ...body, metadata });
      }
      versions.set(a.streamId, version);
    }
    if (this.db.kind === 'postgres') await this.insertAtTakenPositions(stored, tx);
    else for (const event of stored) event.metadata.position = await this.insertOne(event, tx);
    for (const event of stored) for (const p of this.inline) await p.apply(tx, event);
    const head = stored[stored.length - 1].metadata.position!;
    tx.afterCommit(() => this.emitter.emit('appended', head));
    return stored;
  }

  /** SQLite: one writer, so the table's AUTOINCREMENT hands positions out in commit order. */
  private async insertOne(event: DomainEvent, tx: Tx): Promise<number> {
    const rows = await this.db.all<{ position: number | string }>(
      `INSERT INTO events (${INSERT_COLUMNS}) VALUES (${placeholders(INSERT_COLUMNS.split(',').length)}) RETURNING position`,
      rowOf(event),
      tx,
    );
    return Number(rows[0].position);
  }

  /**
   * PostgreSQL: takes consecutive positions together with this transaction's
   * in-flight flag (`cp_take_positions`, migration M002), then writes the rows in
   * as few statements as the parameter limit allows.
   */
  private async insertAtTakenPositions(events: DomainEvent[], tx: Tx): Promise<void> {
    const taken = await this.db.get<{ first: string | number }>('SELECT cp_take_positions(?) AS first', [events.length], tx);
    const first = Number(taken!.first);
    events.forEach((e, i) => (e.metadata.position = first + i));
    const width = INSERT_COLUMNS.split(',').length + 1;
    for (let i = 0; i < events.length; i += 1000) {
      const chunk = events.slice(i, i + 1000);
      await this.db.run(
        `INSERT INTO events (position, ${INSERT_COLUMNS}) VALUES ${chunk.map(() => `(${placeholders(width)})`).join(', ')}`,
        chunk.flatMap((e) => [e.metadata.position, ...rowOf(e)]),
        tx,
      );
    }
  }

  /** Joins the writers (see `transaction`); a no-op on SQLite, and when taken again in the same transaction. */
  private async joinWriters(tx: Tx): Promise<void> {
    if (this.db.kind !== 'postgres' || joined.has(tx)) return;
    joined.add(tx);
    await this.db.run(`SELECT pg_advisory_xact_lock_shared(${WRITERS_LOCK}, hashtext(current_schema()))`, [], tx);
    // A sequential scan takes a predicate lock on the whole table, so every writer adding a row to it
    // would conflict with this one: on the small tables a fresh cloud has, the planner prefers them.
    // Index scans lock only the ranges read (PostgreSQL's manual, "Serializable Isolation Level").
    await this.db.run('SET LOCAL enable_seqscan = off', [], tx);
  }

  async streamVersion(streamId: string, tx?: Tx): Promise<number> {
    const row = await this.db.get<{ v: number | null }>('SELECT MAX(stream_version) AS v FROM events WHERE stream_id = ?', [streamId], tx);
    return Number(row?.v ?? 0);
  }

  async readStream(streamId: string, tx?: Tx): Promise<DomainEvent[]> {
    const rows = await this.db.all<EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? ORDER BY stream_version`, [streamId], tx);
    return rows.map(toEvent);
  }

  /** The events of a stream after version `after`, in order (all of them for 0). */
  async readStreamSince(streamId: string, after: number, tx?: Tx): Promise<DomainEvent[]> {
    const rows = await this.db.all<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version`,
      [streamId, after],
      tx,
    );
    return rows.map(toEvent);
  }

  /**
   * The events of a stream after `known` (a version and the id of the event
   * stored there, from an earlier read), or null when the stream does not hold
   * that event at that version. Events are immutable and stream versions unique,
   * so a matching id proves that everything up to `known` is what the caller
   * already folded; only the newer events are parsed.
   */
  async readStreamAfter(streamId: string, known: { version: number; eventId: string }, tx?: Tx): Promise<DomainEvent[] | null> {
    const rows = await this.db.all<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version`,
      [streamId, known.version],
      tx,
    );
    if (rows.length === 0 || Number(rows[0].stream_version) !== known.version || rows[0].event_id !== known.eventId) return null;
    return rows.slice(1).map(toEvent);
  }

  /** Every event about the given resources of one type (the audit columns), in log order: what provenance reads. */
  async readResources(resourceType: string, ids: readonly string[], tx?: Tx): Promise<DomainEvent[]> {
    if (ids.length === 0) return [];
    const rows = await inChunks([...ids], (chunk) =>
      this.db.all<EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE resource_type = ? AND resource_id IN (${placeholders(chunk.length)})`,
        [resourceType, ...chunk],
        tx,
      ),
    );
    return rows.map(toEvent).sort((a, b) => (a.metadata.position ?? 0) - (b.metadata.position ?? 0));
  }

  /**
   * The resources some event of these types gave `field` this value (a top-level
   * field of its data): provenance looks up a deleted port by its MAC this way.
   * The data is stored as compact JSON text, so this is a LIKE on both databases.
   */
  async findResourceIds(types: readonly string[], field: string, value: string, tx?: Tx): Promise<string[]> {
    const needle = `"${field}":${JSON.stringify(value)}`.replace(/[\\%_]/g, (c) => `\\${c}`);
    const rows = await this.db.all<{ resource_id: string }>(
      `SELECT DISTINCT resource_id FROM events WHERE type IN (${placeholders(types.length)}) AND data LIKE ? ESCAPE '\\'`,
      [...types, `%${needle}%`],
      tx,
    );
    return rows.map((r) => r.resource_id);
  }

  /**
   * Events with position > `after`, in order, at most `limit`: never past a
   * position whose writer is still in flight, so a reader that carries on from
   * the last position it got skips nothing that commits later. (On PostgreSQL,
   * pass a transaction only from `exclusive`: a snapshot older than the bound
   * would miss what committed in between.)
   */
  async readAll(after: number, limit = 1000, tx?: Tx): Promise<DomainEvent[]> {
    const bound = await this.readableUpTo(tx);
    // Projectors read the whole log through here: rows as arrays, in COLUMNS order.
    const rows = await this.db.rows(
      `SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`,
      [after, bound, limit],
      tx,
    );
    return rows.map(
      ([
        position,
        event_id,
        stream_id,
        stream_version,
        type,
        schema_version,
        project_id,
        actor,
        request_id,
        causation_id,
        occurred_at,
        data,
      ]) =>
        toEvent({
          position,
          event_id,
          stream_id,
          stream_version,
          type,
          schema_version,
          project_id,
          actor,
          request_id,
          causation_id,
          occurred_at,
          data,
        } as EventRow),
    );
  }

  /** The position of the last event that occurred at or before `isoTime` (0 before the first). */
  async positionAt(isoTime: string): Promise<number> {
    // occurred_at is ISO 8601 UTC text of one width: text order is time order.
    const row = await this.db.get<{ p: number | null }>('SELECT MAX(position) AS p FROM events WHERE occurred_at <= ?', [isoTime]);
    return Number(row?.p ?? 0);
  }

  /** The last event a reader can read now (see `readAll`). */
  async headPosition(): Promise<number> {
    const bound = await this.readableUpTo();
    const row = await this.db.get<{ p: number | null }>('SELECT MAX(position) AS p FROM events WHERE position <= ?', [bound]);
    return Number(row?.p ?? 0);
  }

  /**
   * Positions up to this one are settled: their events are committed, or rolled
   * back for good. SQLite commits in position order (one writer); PostgreSQL
   * hands positions out freely, so the oldest writer in flight sets the bound
   * (`cp_safe_position`, migration M002). It is read in its own statement,
   * before the rows, so the rows' statement sees every commit below it.
   */
  async readableUpTo(tx?: Tx): Promise<number> {
    if (this.db.kind !== 'postgres') return Number.MAX_SAFE_INTEGER;
    const row = await this.db.get<{ p: string | number }>('SELECT cp_safe_position() AS p', [], tx);
    return Number(row!.p);
  }
}

export function toEvent(row: EventRow): DomainEvent {
  return readEvent({
    type: row.type,
    data: JSON.parse(row.data),
    metadata: {
      eventId: row.event_id,
      schemaVersion: row.schema_version,
      streamId: row.stream_id,
      streamVersion: Number(row.stream_version),
      position: Number(row.position),
      projectId: row.project_id,
      actor: row.actor,
      requestId: row.request_id,
      causationId: row.causation_id,
      occurredAt: row.occurred_at,
    },
  });
}

function rowOf(event: DomainEvent): unknown[] {
  const m = event.metadata;
  const [resourceType, resourceId] = resourceOf(event);
  return [
    m.eventId,
    m.streamId,
    m.streamVersion,
    event.type,
    m.schemaVersion,
    resourceType,
    resourceId,
    m.projectId,
    m.actor,
    m.requestId,
    m.causationId,
    m.occurredAt,
    JSON.stringify(event.data),
  ];
}

/** Resource type and id an event is about, for the audit API's filters. */
export function resourceOf(event: DomainEvent): [string, string] {
  const [category] = event.metadata.streamId.split(':', 1);
  const d = event.data as { id?: string; routerId?: string };
  return [category, d.routerId ?? d.id ?? event.metadata.streamId.slice(category.length + 1)];
}
