import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIp, freeRangesOf, parseIp, poolsToRanges } from '@cp/domain';
import type { AllocationPool, DomainEvent } from '@cp/events';
import { type Database, openDatabase } from '@cp/store';
import { WRITE_SIDE_TABLES } from '../write-side';
import { ipKey } from './ip-availability';
import { IpAllocations } from './port-allocations';

type Ip = { subnetId: string; ipAddress: string };
const ev = (type: string, data: Record<string, unknown>) => ({ type, data }) as unknown as DomainEvent;
const subnetCreated = (id: string, allocationPools: AllocationPool[], ipv6AddressMode: string | null = null) =>
  ev('SubnetCreated', { id, networkId: 'n1', ipVersion: ipv6AddressMode ? 6 : 4, ipv6AddressMode, allocationPools });
const portCreated = (id: string, fixedIps: Ip[]) => ev('PortCreated', { id, networkId: 'n1', fixedIps });
const portUpdated = (id: string, fixedIps: Ip[]) => ev('PortUpdated', { id, networkId: 'n1', changes: { fixedIps } });
const portDeleted = (id: string) => ev('PortDeleted', { id, networkId: 'n1' });
const v4 = (n: number) => formatIp({ version: 4, value: parseIp('10.0.0.0')!.value + BigInt(n) });

let dir: string;
let db: Database;
let ipam: IpAllocations;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ip-availability-'));
  db = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }, WRITE_SIDE_TABLES);
  ipam = new IpAllocations(db);
});
afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const apply = (...events: DomainEvent[]) =>
  db.transaction(async (tx) => {
    for (const e of events) await ipam.apply(tx, e);
  });
const rows = (subnetId: string) =>
  db.all('SELECT first_key, last_key, pool_index FROM ip_availability WHERE subnet_id = ? ORDER BY pool_index, first_key', [subnetId]);
/** What a rebuild would write: the pools minus the addresses held. */
async function recomputed(subnetId: string, pools: AllocationPool[]) {
  const held = await db.all<{ ip_address: string }>('SELECT ip_address FROM ip_allocations WHERE subnet_id = ?', [subnetId]);
  return freeRangesOf(
    poolsToRanges(pools),
    held.map((h) => parseIp(h.ip_address)!.value),
  ).map((r) => ({ first_key: ipKey(r.start), last_key: ipKey(r.end), pool_index: r.pool }));
}

it('splits, shrinks and merges ranges as addresses are claimed and freed', async () => {
  const pools = [{ start: v4(2), end: v4(9) }];
  await apply(subnetCreated('s1', pools), portCreated('a', [{ subnetId: 's1', ipAddress: v4(2) }]));
  expect(await rows('s1')).toEqual([{ first_key: ipKey(parseIp(v4(3))!.value), last_key: ipKey(parseIp(v4(9))!.value), pool_index: 0 }]);
  await apply(portCreated('b', [{ subnetId: 's1', ipAddress: v4(5) }]), portCreated('c', [{ subnetId: 's1', ipAddress: v4(200) }]));
  expect(await rows('s1')).toHaveLength(2);
  await apply(portDeleted('b'), portDeleted('a'), portDeleted('c'));
  expect(await rows('s1')).toEqual(await recomputed('s1', pools));
  expect(await rows('s1')).toHaveLength(1);
});

it('keeps no ranges for SLAAC subnets and drops a deleted subnet', async () => {
  await apply(subnetCreated('slaac', [{ start: '2001:db8::2', end: '2001:db8::ffff' }], 'slaac'));
  await apply(portCreated('a', [{ subnetId: 'slaac', ipAddress: '2001:db8::5' }]), portDeleted('a'));
  expect(await db.all('SELECT * FROM ip_availability')).toEqual([]);
  await apply(subnetCreated('s1', [{ start: v4(2), end: v4(9) }]), ev('SubnetDeleted', { id: 's1', networkId: 'n1' }));
  expect(await db.all('SELECT * FROM ip_availability')).toEqual([]);
  expect(await db.all('SELECT * FROM ip_availability_pools')).toEqual([]);
});

it('equals a recompute after every step of a long random history (creates, updates, deletes, new pools)', async () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  // Pools out of address order, and two that touch (their ranges stay apart).
  let pools = [
    { start: v4(100), end: v4(120) },
    { start: v4(2), end: v4(40) },
    { start: v4(41), end: v4(60) },
  ];
  await apply(subnetCreated('s1', pools));
  const ports = new Map<string, number[]>();
  const held = () => new Set([...ports.values()].flat());
  const free = () => Array.from({ length: 253 }, (_, i) => i + 1).filter((n) => !held().has(n));
  const ips = (ns: number[]) => ns.map((n) => ({ subnetId: 's1', ipAddress: v4(n) }));
  for (let step = 0; step < 600; step++) {
    const op = rand(10);
    const ids = [...ports.keys()];
    if (op < 4 || ids.length === 0) {
      const choice = free();
      const ns = [...new Set([choice[rand(choice.length)], choice[rand(choice.length)]])];
      ports.set(`p${step}`, ns);
      await apply(portCreated(`p${step}`, ips(ns)));
    } else if (op < 8) {
      const id = ids[rand(ids.length)];
      ports.delete(id);
      await apply(portDeleted(id));
    } else if (op < 9) {
      const id = ids[rand(ids.length)];
      const choice = free();
      const ns = [ports.get(id)![0], choice[rand(choice.length)]];
      ports.set(id, ns);
      await apply(portUpdated(id, ips(ns)));
    } else {
      const a = 2 + rand(60);
      pools = [
        { start: v4(150), end: v4(150 + rand(50)) },
        { start: v4(a), end: v4(a + rand(80)) },
      ];
      await apply(ev('SubnetUpdated', { id: 's1', networkId: 'n1', changes: { allocationPools: pools } }));
    }
    expect(await rows('s1')).toEqual(await recomputed('s1', pools));
  }
});

it('applying the same history again from scratch gives the same rows', async () => {
  const history = [
    subnetCreated('s1', [{ start: v4(2), end: v4(30) }]),
    portCreated('a', [{ subnetId: 's1', ipAddress: v4(4) }]),
    portCreated('b', [{ subnetId: 's1', ipAddress: v4(6) }]),
    portUpdated('a', [{ subnetId: 's1', ipAddress: v4(5) }]),
    portDeleted('b'),
  ];
  await apply(...history);
  const live = await rows('s1');
  await db.truncate(['ip_allocations', 'ip_availability', 'ip_availability_pools']);
  await apply(...history);
  expect(await rows('s1')).toEqual(live);
});
