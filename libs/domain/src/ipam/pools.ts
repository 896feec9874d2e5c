import type { AllocationPool } from '@cp/events';
import type { Rejection } from '../decider';
import { type Cidr } from './cidr';
import { gatewayConflict, invalidAllocationPool, outOfBoundsAllocationPool, overlappingAllocationPools } from './errors';
import { formatIp, parseIp, type Ip } from './ip';

/** A pool as numbers: inclusive bounds, same version as its subnet. */
export interface IpRange {
  readonly start: bigint;
  readonly end: bigint;
}

const text = (c: Cidr, value: bigint) => formatIp({ version: c.version, value });
export const rangeToPool = (c: Cidr, r: IpRange): AllocationPool => ({ start: text(c, r.start), end: text(c, r.end) });

/**
 * Neutron's default gateway: the first address after the network address. Null
 * when the block has no such host (/31, /32, /127, /128), where Neutron's
 * default would be an invalid gateway anyway.
 */
export function defaultGateway(c: Cidr): Ip | null {
  const candidate = c.first + 1n;
  const lastHost = c.version === 4 ? c.last - 1n : c.last;
  return candidate <= lastHost ? { version: c.version, value: candidate } : null;
}

/**
 * Neutron's generate_pools: the whole block minus the network address (and the
 * IPv4 broadcast for prefixes up to /30), with the gateway cut out, which splits
 * the range in two when the gateway sits in the middle.
 */
export function defaultPools(c: Cidr, gateway: Ip | null): IpRange[] {
  if (c.first === c.last) return [{ start: c.first, end: c.last }];
  let start = c.first;
  let end = c.last;
  if (c.version === 6 || c.prefixLength <= 30) start += 1n;
  if (c.version === 4 && c.prefixLength <= 30) end -= 1n;
  const gw = gateway && gateway.version === c.version ? gateway.value : null;
  if (gw === null || gw < start || gw > end) return [{ start, end }];
  const out: IpRange[] = [];
  if (gw > start) out.push({ start, end: gw - 1n });
  if (gw < end) out.push({ start: gw + 1n, end });
  return out;
}

export type PoolsResult = { ok: true; ranges: IpRange[]; pools: AllocationPool[] } | { ok: false; rejection: Rejection };

/**
 * Neutron's validate_allocation_pools plus validate_gw_out_of_pools: every pool
 * is two addresses of the subnet's version, start <= end, inside the block but
 * off the network (and IPv4 broadcast) address, no two pools overlap, and none
 * holds the gateway. Pools come back in canonical text, in the order given.
 */
export function validatePools(c: Cidr, pools: readonly AllocationPool[], gateway: Ip | null): PoolsResult {
  const ranges: IpRange[] = [];
  const lowest = c.first + 1n;
  const highest = c.version === 4 ? c.last - 1n : c.last;
  for (const p of pools) {
    const start = parseIp(p.start);
    const end = parseIp(p.end);
    if (!start || !end || start.version !== c.version || end.version !== c.version || start.value > end.value) {
      return { ok: false, rejection: invalidAllocationPool(p) };
    }
    if (start.value < lowest || end.value > highest) {
      return { ok: false, rejection: outOfBoundsAllocationPool(p, c.text) };
    }
    ranges.push({ start: start.value, end: end.value });
  }
  // Sorting by start makes the overlap test linear after the sort.
  const order = ranges
    .map((_, i) => i)
    .sort((a, b) => (ranges[a].start < ranges[b].start ? -1 : ranges[a].start > ranges[b].start ? 1 : a - b));
  for (let k = 1; k < order.length; k++) {
    const [i, j] = [order[k - 1], order[k]];
    if (ranges[j].start <= ranges[i].end) {
      const [a, b] = i < j ? [i, j] : [j, i];
      return { ok: false, rejection: overlappingAllocationPools(rangeToPool(c, ranges[a]), rangeToPool(c, ranges[b]), c.text) };
    }
  }
  if (gateway && gateway.version === c.version) {
    const holder = ranges.find((r) => gateway.value >= r.start && gateway.value <= r.end);
    if (holder) return { ok: false, rejection: gatewayConflict(formatIp(gateway), rangeToPool(c, holder)) };
  }
  return { ok: true, ranges, pools: ranges.map((r) => rangeToPool(c, r)) };
}

/** Pools stored in events are canonical already; this only turns them back into numbers. */
export function poolsToRanges(pools: readonly AllocationPool[]): IpRange[] {
  return pools.flatMap((p) => {
    const start = parseIp(p.start);
    const end = parseIp(p.end);
    return start && end ? [{ start: start.value, end: end.value }] : [];
  });
}

export function rangesContain(ranges: readonly IpRange[], value: bigint): boolean {
  return ranges.some((r) => value >= r.start && value <= r.end);
}
