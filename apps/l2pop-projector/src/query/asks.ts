import type { DeltaAsk } from '@cp/host-feed';

export type { DeltaAsk };

/**
 * Hosts' deltas are read in batches: the watchers one commit wakes are served
 * together, with one query per kind of row for all of them (design.md §7), not
 * a dozen per host. Each query joins the asks as a table q(i, h, f): the ask's
 * index, its host and the revision its delta starts from.
 */
/** At most this many asks per query: three parameters each, well under either backend's limit. */
export const ASKS_PER_QUERY = 512;

/** `WITH q(i, h, f) AS (VALUES ...)` and its parameters; casts, so PostgreSQL knows the columns' types. */
export function askTable(asks: readonly Pick<DeltaAsk, 'host' | 'from'>[]): { sql: string; params: unknown[] } {
  // Padded to a power of two with asks no host matches (the empty name), so a few statement texts
  // cover every batch size and PostgreSQL reuses their plans (statements are prepared per connection).
  const rows = 2 ** Math.ceil(Math.log2(Math.max(1, asks.length)));
  const padded = [...asks, ...Array.from({ length: rows - asks.length }, () => ({ host: '', from: 0 }))];
  return {
    sql: `WITH q(i, h, f) AS (VALUES ${padded.map(() => '(CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS BIGINT))').join(', ')})`,
    params: padded.flatMap((a, i) => [i, a.host, a.from]),
  };
}

/** Rows grouped by their ask's index `i`, one (possibly empty) list per ask; padding's rows (none expected) are dropped. */
export function byAsk<R extends { i: number | string }>(count: number, rows: readonly R[]): R[][] {
  const out: R[][] = Array.from({ length: count }, () => []);
  for (const r of rows) out[Number(r.i)]?.push(r);
  return out;
}
