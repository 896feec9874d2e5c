import type { Database, EventStore } from '@cp/store';

/** A read model as it was at one position of the log (a scratch copy: snapshot plus replay). */
export interface ModelAt {
  position: number;
  db: Database;
}

/**
 * Time travel over one read model: where a process keeps snapshots and reads
 * the event log (embedded mode), the model at a position or a time.
 */
export interface ModelHistory {
  /** `at`: a log position, or an RFC 3339 time (the last event at or before it). Throws HistoryQueryError on anything else. */
  at(at: string): Promise<ModelAt>;
}

/** A point of the log that cannot be travelled to: 400. */
export class HistoryQueryError extends Error {
  override readonly name = 'HistoryQueryError';
}

/** A host's document at a point of the log, with the position it is as of. */
export async function documentAt<S>(
  history: ModelHistory,
  snapshotOf: (db: Database, host: string) => Promise<S>,
  host: string,
  at: string,
): Promise<S & { position: number }> {
  const { position, db } = await history.at(at);
  return { ...(await snapshotOf(db, host)), position };
}

/** The log position `at` names: a position as given (at most the head), or the last event at or before an RFC 3339 time. */
export async function logPosition(store: EventStore, at: string): Promise<number> {
  const head = await store.headPosition();
  if (/^\d+$/.test(at)) return Math.min(Number(at), head);
  const time = Date.parse(at);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(at) || Number.isNaN(time)) {
    throw new HistoryQueryError(`at=${at}: give a log position (an integer) or an RFC 3339 time (2026-12-07T14:02:00Z)`);
  }
  return store.positionAt(new Date(time).toISOString());
}
