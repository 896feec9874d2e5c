import { EntitySchema } from '@mikro-orm/core';
import { freeRangesOf, parseIp, poolsToRanges, type PoolRange } from '@cp/domain';
import type { AllocationPool } from '@cp/events';
import { ConcurrencyError, type Database, type Tx } from '@cp/store';

/**
 * Free pool addresses per subnet, as maximal runs `[first, last]` within one
 * pool, so automatic allocation reads the first row in pool order instead of
 * every address the subnet holds. Kept by IpAllocations beside ip_allocations,
 * in the append's transaction, for subnets that allocate from their pools
 * (SLAAC and DHCPv6-stateless subnets take EUI-64 addresses and have no rows).
 *
 * Addresses are keys of 39 decimal digits (2^128 has 39): equal-length digit
 * strings sort numerically under any collation, on SQLite and PostgreSQL alike.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const IpAvailabilityTable = new EntitySchema<any>({
  name: 'IpAvailabilityRow',
  tableName: 'ip_availability',
  properties: {
    subnetId: { type: 'string', length: 64, fieldName: 'subnet_id', primary: true },
    firstKey: { type: 'string', length: 39, fieldName: 'first_key', primary: true },
    lastKey: { type: 'string', length: 39, fieldName: 'last_key' },
    pool: { type: 'integer', fieldName: 'pool_index' },
  },
  indexes: [{ properties: ['subnetId', 'pool', 'firstKey'], name: 'ip_availability_order_idx' }],
});

/** The pools each tracked subnet allocates from (JSON, canonical text, the subnet's order): a release finds its pool here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const IpAvailabilityPoolsTable = new EntitySchema<any>({
  name: 'IpAvailabilityPoolsRow',
  tableName: 'ip_availability_pools',
  properties: {
    subnetId: { type: 'string', length: 64, fieldName: 'subnet_id', primary: true },
    pools: { type: 'text' },
  },
});

const KEY_DIGITS = 39;
export const ipKey = (v: bigint): string => v.toString().padStart(KEY_DIGITS, '0');

interface RangeRow {
  first_key: string;
  last_key: string;
  pool_index: number | string;
}
const toRange = (r: RangeRow): PoolRange => ({ start: BigInt(r.first_key), end: BigInt(r.last_key), pool: Number(r.pool_index) });

const valueOf = (ip: string) => parseIp(ip)?.value;

/**
 * Writes to the free ranges. Every change names the row as it was read, so a
 * writer that raced another (PostgreSQL) changes nothing and fails with a
 * conflict the command runner retries, instead of leaving ranges that overlap.
 */
export class FreeRanges {
  constructor(private readonly db: Database) {}

  /** A new subnet that allocates from its pools: each pool one free range. */
  async open(tx: Tx, subnetId: string, pools: readonly AllocationPool[]): Promise<void> {
    await this.db.run('INSERT INTO ip_availability_pools (subnet_id, pools) VALUES (?, ?)', [subnetId, JSON.stringify(pools)], tx);
    for (const r of freeRangesOf(poolsToRanges(pools), [])) await this.insert(tx, subnetId, r);
  }

  /** New pools: the subnet's ranges are derived again from the pools and the addresses held (rare, so recomputed). */
  async repool(tx: Tx, subnetId: string, pools: readonly AllocationPool[]): Promise<void> {
    const changed = await this.db.run(
      'UPDATE ip_availability_pools SET pools = ? WHERE subnet_id = ?',
      [JSON.stringify(pools), subnetId],
      tx,
    );
    if (changed === 0) return;
    await this.db.run('DELETE FROM ip_availability WHERE subnet_id = ?', [subnetId], tx);
    const held = await this.db.all<{ ip_address: string }>('SELECT ip_address FROM ip_allocations WHERE subnet_id = ?', [subnetId], tx);
    const used = held.flatMap((h) => valueOf(h.ip_address) ?? []);
    for (const r of freeRangesOf(poolsToRanges(pools), used)) await this.insert(tx, subnetId, r);
  }

  async close(tx: Tx, subnetId: string): Promise<void> {
    await this.db.run('DELETE FROM ip_availability WHERE subnet_id = ?', [subnetId], tx);
    await this.db.run('DELETE FROM ip_availability_pools WHERE subnet_id = ?', [subnetId], tx);
  }

  /** An address taken: the range holding it shrinks or splits. Addresses outside the free ranges change nothing. */
  async claim(tx: Tx, subnetId: string, ip: string): Promise<void> {
    const v = valueOf(ip);
    if (v === undefined) return;
    const r = await this.at(tx, subnetId, v);
    if (!r || r.end < v) return;
    if (r.start === v && r.end === v) {
      return this.expect(tx, 'DELETE FROM ip_availability WHERE subnet_id = ? AND first_key = ? AND last_key = ?', [
        subnetId,
        ipKey(r.start),
        ipKey(r.end),
      ]);
    }
    if (r.start === v) return this.reshape(tx, subnetId, r, { ...r, start: v + 1n });
    await this.reshape(tx, subnetId, r, { ...r, end: v - 1n });
    if (v < r.end) await this.insert(tx, subnetId, { ...r, start: v + 1n });
  }

  /** An address freed: it joins its neighbours in its pool. Addresses outside the pools change nothing. */
  async release(tx: Tx, subnetId: string, ip: string): Promise<void> {
    const v = valueOf(ip);
    if (v === undefined) return;
    const row = await this.db.get<{ pools: string }>('SELECT pools FROM ip_availability_pools WHERE subnet_id = ?', [subnetId], tx);
    if (!row) return;
    const pools = poolsToRanges(JSON.parse(row.pools) as AllocationPool[]);
    const pool = pools.findIndex((p) => v >= p.start && v <= p.end);
    if (pool < 0) return;
    const cover = await this.at(tx, subnetId, v);
    if (cover && cover.end >= v) return; // already free
    const left = cover && cover.end === v - 1n && v > pools[pool].start ? cover : undefined;
    const right = v < pools[pool].end ? await this.startingAt(tx, subnetId, v + 1n) : undefined;
    if (left && right) {
      await this.expect(tx, 'DELETE FROM ip_availability WHERE subnet_id = ? AND first_key = ? AND last_key = ?', [
        subnetId,
        ipKey(right.start),
        ipKey(right.end),
      ]);
      return this.reshape(tx, subnetId, left, { ...left, end: right.end });
    }
    if (left) return this.reshape(tx, subnetId, left, { ...left, end: v });
    if (right) return this.reshape(tx, subnetId, right, { ...right, start: v });
    await this.insert(tx, subnetId, { start: v, end: v, pool });
  }

  /**
   * The first free ranges in pool order, at most `limit` of them; `complete`
   * when that is all the subnet has. Each row holds at least one address.
   */
  async first(tx: Tx, subnetId: string, limit: number): Promise<{ ranges: PoolRange[]; complete: boolean }> {
    const rows = await this.db.all<RangeRow>(
      'SELECT first_key, last_key, pool_index FROM ip_availability WHERE subnet_id = ? ORDER BY pool_index, first_key LIMIT ?',
      [subnetId, limit],
      tx,
    );
    return { ranges: rows.map(toRange), complete: rows.length < limit };
  }

  /** The range starting at or below v, the nearest one. */
  private async at(tx: Tx, subnetId: string, v: bigint): Promise<PoolRange | undefined> {
    const row = await this.db.get<RangeRow>(
      'SELECT first_key, last_key, pool_index FROM ip_availability WHERE subnet_id = ? AND first_key <= ? ORDER BY first_key DESC LIMIT 1',
      [subnetId, ipKey(v)],
      tx,
    );
    return row && toRange(row);
  }

  private async startingAt(tx: Tx, subnetId: string, v: bigint): Promise<PoolRange | undefined> {
    const row = await this.db.get<RangeRow>(
      'SELECT first_key, last_key, pool_index FROM ip_availability WHERE subnet_id = ? AND first_key = ?',
      [subnetId, ipKey(v)],
      tx,
    );
    return row && toRange(row);
  }

  private insert(tx: Tx, subnetId: string, r: PoolRange): Promise<number> {
    return this.db.run(
      'INSERT INTO ip_availability (subnet_id, first_key, last_key, pool_index) VALUES (?, ?, ?, ?)',
      [subnetId, ipKey(r.start), ipKey(r.end), r.pool],
      tx,
    );
  }

  private reshape(tx: Tx, subnetId: string, was: PoolRange, now: PoolRange): Promise<void> {
    return this.expect(
      tx,
      'UPDATE ip_availability SET first_key = ?, last_key = ? WHERE subnet_id = ? AND first_key = ? AND last_key = ?',
      [ipKey(now.start), ipKey(now.end), subnetId, ipKey(was.start), ipKey(was.end)],
    );
  }

  private async expect(tx: Tx, sql: string, params: unknown[]): Promise<void> {
    if ((await this.db.run(sql, params, tx)) !== 1) throw new ConcurrencyError('free ranges changed under this command');
  }
}
