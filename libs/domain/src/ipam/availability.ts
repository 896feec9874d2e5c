import type { IpRange } from './pools';

/**
 * A subnet's free pool addresses as the edge read them from its free ranges,
 * so that allocation costs the same on a full subnet as on an empty one.
 *
 * - `free`: free ranges in pool order (pools as the subnet lists them, each
 *   pool's ranges lowest first). It may be a prefix of them: every pool address
 *   before the last range given that no range holds is taken, and the edge gives
 *   enough for the command (or all there are).
 * - `taken`: the addresses the edge looked up one by one (named in the request,
 *   EUI-64 candidates, claimed earlier in the command), those held. The edge looks
 *   up every address the decider may ask about, so any other counts as free.
 */
export interface Availability {
  readonly kind: 'availability';
  readonly free: readonly IpRange[];
  readonly taken: ReadonlySet<string>;
}

export const availability = (free: readonly IpRange[], taken: Iterable<string> = []): Availability => ({
  kind: 'availability',
  free,
  taken: new Set(taken),
});

/** A free range and the index of the pool (in the subnet's order) it lies in. */
export interface PoolRange extends IpRange {
  readonly pool: number;
}

const byValue = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `ranges` without `values`: ranges split around each value, empty ones dropped,
 * order kept. One sweep per range over the sorted values.
 */
export function subtractAddresses<R extends IpRange>(ranges: readonly R[], values: Iterable<bigint>): R[] {
  const sorted = [...new Set(values)].sort(byValue);
  if (sorted.length === 0) return [...ranges];
  const out: R[] = [];
  for (const r of ranges) {
    let start = r.start;
    for (const v of sorted) {
      if (v < start) continue;
      if (v > r.end) break;
      if (v > start) out.push({ ...r, start, end: v - 1n });
      start = v + 1n;
    }
    if (start <= r.end) out.push({ ...r, start });
  }
  return out;
}

/**
 * Pools minus used addresses: the maximal runs of free addresses, each within one
 * pool, in pool order. What the free-ranges model holds for a subnet, whatever
 * order its claims and releases came in.
 */
export function freeRangesOf(pools: readonly IpRange[], used: Iterable<bigint>): PoolRange[] {
  return subtractAddresses(
    pools.map((p, pool) => ({ pool, start: p.start, end: p.end })),
    used,
  );
}

/** The lowest free address, pools in order: the first one that some free range reaches into. */
export function firstFreeInRanges(pools: readonly IpRange[], free: readonly IpRange[]): bigint | null {
  for (const pool of pools) {
    let best: bigint | null = null;
    for (const r of free) {
      const start = r.start > pool.start ? r.start : pool.start;
      const end = r.end < pool.end ? r.end : pool.end;
      if (start <= end && (best === null || start < best)) best = start;
    }
    if (best !== null) return best;
  }
  return null;
}
