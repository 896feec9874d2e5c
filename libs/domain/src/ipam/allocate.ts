import type { AllocationPool } from '@cp/events';
import { firstFreeInRanges, subtractAddresses, type Availability } from './availability';
import { formatIp, parseIp, type IpVersion } from './ip';
import { poolsToRanges, type IpRange } from './pools';

/**
 * Used addresses as sorted, merged intervals. Built once (O(n log n)) from a
 * large set, it answers "first free address from here" in O(log n) whatever
 * the length of the run of taken addresses, so a nearly full /16 costs the same
 * as an empty one.
 */
export interface UsedIndex {
  readonly kind: 'used-index';
  readonly starts: readonly bigint[];
  readonly ends: readonly bigint[];
}

/**
 * Addresses already taken on a subnet: canonical text (what events carry) in a
 * set, a predicate the edge backs with its own lookup, a prebuilt index, or the
 * subnet's free ranges as the edge read them (what the command side passes).
 */
export type UsedIps = ReadonlySet<string> | ((ip: string) => boolean) | UsedIndex | Availability;

export function buildUsedIndex(ips: Iterable<string | bigint>): UsedIndex {
  const values: bigint[] = [];
  for (const ip of ips) {
    const v = typeof ip === 'bigint' ? ip : parseIp(ip)?.value;
    if (v !== undefined) values.push(v);
  }
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const starts: bigint[] = [];
  const ends: bigint[] = [];
  for (const v of values) {
    const last = ends.length - 1;
    if (last >= 0 && v <= ends[last] + 1n) {
      if (v > ends[last]) ends[last] = v;
    } else {
      starts.push(v);
      ends.push(v);
    }
  }
  return { kind: 'used-index', starts, ends };
}

const isIndex = (u: UsedIps): u is UsedIndex => typeof u === 'object' && (u as UsedIndex).kind === 'used-index';
const isAvailability = (u: UsedIps): u is Availability => typeof u === 'object' && (u as Availability).kind === 'availability';

/** First value >= from that the index leaves free. */
function nextFreeInIndex(index: UsedIndex, from: bigint): bigint {
  let lo = 0;
  let hi = index.starts.length - 1;
  let hit = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index.starts[mid] <= from) {
      hit = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Intervals are merged, so the address after a covering interval is free.
  return hit >= 0 && index.ends[hit] >= from ? index.ends[hit] + 1n : from;
}

/**
 * The lowest free address, pools taken in the order given (as Neutron walks
 * them). Ranges are never materialised: with an index each pool costs one
 * binary search; with a set or predicate the walk stops at the first gap, so a
 * pool costs (taken addresses at its start + 1) lookups, which is also what
 * building an index would cost, so a one-off query is not worth one.
 */
export function firstFreeIp(version: IpVersion, pools: readonly IpRange[], used: UsedIps): string | null {
  if (isAvailability(used)) {
    const v = firstFreeInRanges(pools, used.free);
    return v === null ? null : formatIp({ version, value: v });
  }
  if (isIndex(used)) {
    for (const pool of pools) {
      const v = nextFreeInIndex(used, pool.start);
      if (v <= pool.end) return formatIp({ version, value: v });
    }
    return null;
  }
  const isUsed = typeof used === 'function' ? used : (ip: string) => used.has(ip);
  for (const pool of pools) {
    for (let v = pool.start; v <= pool.end; v++) {
      const ip = formatIp({ version, value: v });
      if (!isUsed(ip)) return ip;
    }
  }
  return null;
}

/** firstFreeIp over pools as events carry them (canonical text, one IP version). */
export function firstFreeIpInPools(pools: readonly AllocationPool[], used: UsedIps): string | null {
  const version = pools.length > 0 ? parseIp(pools[0].start)?.version : undefined;
  return version === undefined ? null : firstFreeIp(version, poolsToRanges(pools), used);
}

export function isIpUsed(used: UsedIps, ip: string): boolean {
  if (typeof used === 'function') return used(ip);
  if (isAvailability(used)) return used.taken.has(ip);
  if (!isIndex(used)) return used.has(ip);
  const v = parseIp(ip)?.value;
  return v !== undefined && nextFreeInIndex(used, v) !== v;
}

/** `used` plus addresses picked earlier in the same command. */
export function withTaken(used: UsedIps, taken: ReadonlySet<string>): UsedIps {
  if (taken.size === 0) return used;
  if (isAvailability(used)) {
    const values = [...taken].flatMap((t) => parseIp(t)?.value ?? []);
    return { kind: 'availability', free: subtractAddresses(used.free, values), taken: new Set([...used.taken, ...taken]) };
  }
  if (!isIndex(used)) return (ip: string) => taken.has(ip) || isIpUsed(used, ip);
  let index = used;
  for (const t of taken) {
    const v = parseIp(t)?.value;
    if (v !== undefined) index = addToIndex(index, v);
  }
  return index;
}

/** A copy of the index with one more address; neighbours merge so lookups stay O(log n). */
export function addToIndex(index: UsedIndex, v: bigint): UsedIndex {
  if (nextFreeInIndex(index, v) !== v) return index;
  const starts = [...index.starts];
  const ends = [...index.ends];
  let i = starts.findIndex((s) => s > v);
  if (i < 0) i = starts.length;
  const joinsLeft = i > 0 && ends[i - 1] + 1n === v;
  const joinsRight = i < starts.length && starts[i] - 1n === v;
  if (joinsLeft && joinsRight) {
    ends[i - 1] = ends[i];
    starts.splice(i, 1);
    ends.splice(i, 1);
  } else if (joinsLeft) ends[i - 1] = v;
  else if (joinsRight) starts[i] = v;
  else {
    starts.splice(i, 0, v);
    ends.splice(i, 0, v);
  }
  return { kind: 'used-index', starts, ends };
}

/** How many addresses a list of pools holds (BigInt: IPv6 pools are huge). */
export const poolsSize = (pools: readonly IpRange[]): bigint => pools.reduce((n, p) => n + (p.end - p.start + 1n), 0n);
