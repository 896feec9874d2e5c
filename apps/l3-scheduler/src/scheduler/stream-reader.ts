import type { DomainEvent } from '@cp/events';
import { toEvent, type EventStore } from '@cp/store';

/**
 * Two reads the EventStore API does not offer (yet): the tail of a stream after a
 * version (a conflict reloads only what another writer added), and the global
 * position of the events that caused decisions. Both are plain reads of the
 * `events` table; they belong in EventStore if another app needs them.
 */
export class StreamReader {
  /** eventId -> position of triggers seen on the tail: most causation lookups hit here. */
  private readonly known = new Map<string, number>();

  constructor(readonly store: EventStore) {}

  async readAfter(streamId: string, afterVersion: number): Promise<DomainEvent[]> {
    if (afterVersion === 0) return this.store.readStream(streamId);
    const rows = await this.store.db.all<Parameters<typeof toEvent>[0]>(
      `SELECT position, event_id, stream_id, stream_version, type, schema_version, project_id, actor, request_id,
              causation_id, occurred_at, data
       FROM events WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version`,
      [streamId, afterVersion],
    );
    return rows.map(toEvent);
  }

  remember(eventId: string, position: number): void {
    if (this.known.size >= 100_000) this.known.clear();
    this.known.set(eventId, position);
  }

  /** Positions of the given event ids (unknown ids are left out). */
  async positions(eventIds: Iterable<string>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const id of new Set(eventIds)) {
      const p = this.known.get(id);
      if (p !== undefined) out.set(id, p);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const rows = await this.store.db.all<{ event_id: string; position: number | string }>(
        `SELECT event_id, position FROM events WHERE event_id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) {
        out.set(r.event_id, Number(r.position));
        this.remember(r.event_id, Number(r.position));
      }
    }
    return out;
  }

  /**
   * The latest position among the causes of `events` (0 when none). A stream whose
   * decisions were caused at or after a trigger already reflects what the
   * scheduler knew at that trigger, so re-processing the trigger must not decide.
   */
  async latestCause(events: readonly DomainEvent[]): Promise<number> {
    const ids = events.map((e) => e.metadata.causationId).filter((c): c is string => c !== null);
    if (ids.length === 0) return 0;
    let latest = 0;
    for (const p of (await this.positions(ids)).values()) latest = Math.max(latest, p);
    return latest;
  }
}
