import type { DomainEvent } from '@cp/events';
import type { EventStore } from '@cp/store';

/**
 * The scheduler's reads of the store for its caches: the tail of a stream after
 * the version it holds (what another writer, or its own command, appended), and
 * the global position of the events that caused decisions, remembered for the
 * triggers it saw on the tail.
 */
export class StreamReader {
  /** eventId -> position of triggers seen on the tail: most causation lookups hit here. */
  private readonly known = new Map<string, number>();

  constructor(readonly store: EventStore) {}

  readAfter(streamId: string, afterVersion: number): Promise<DomainEvent[]> {
    return this.store.readStreamSince(streamId, afterVersion);
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
