/**
 * The segment index's lowest-free query, the same on SQLite and PostgreSQL: per type and
 * physical network, bounded by the range, the range's start included.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainEvent, NetworkType } from '@cp/events';
import { openDatabase, type Database, type DatabaseConfig } from '@cp/store';
import { SegmentAllocations, WRITE_SIDE_TABLES } from '@cp/write-model';

const PG_URL = process.env.L3_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const skipPg = process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true';

const created = (networkType: NetworkType, physicalNetwork: string | null, segmentationId: number) =>
  ({ type: 'NetworkCreated', data: { id: randomUUID(), networkType, physicalNetwork, segmentationId } }) as unknown as DomainEvent;

async function check(db: Database) {
  const segments = new SegmentAllocations(db);
  const taken = [
    created('vlan', 'physnet1', 100),
    created('vlan', 'physnet1', 101),
    created('vlan', 'physnet1', 103),
    created('vlan', 'physnet2', 5),
    created('vxlan', null, 100),
  ];
  await db.transaction(async (tx) => {
    for (const e of taken) await segments.apply(tx, e);
  });
  const free = (type: string, physnet: string | null, min: number, max: number) =>
    db.transaction((tx) => segments.lowestFree(tx, type, physnet, min, max));
  expect(await free('vlan', 'physnet1', 100, 200)).toBe(102);
  expect(await free('vlan', 'physnet1', 103, 200)).toBe(104);
  expect(await free('vlan', 'physnet1', 99, 200)).toBe(99);
  expect(await free('vlan', 'physnet1', 100, 101)).toBeNull();
  expect(await free('vlan', 'physnet2', 5, 5)).toBeNull();
  expect(await free('vlan', 'physnet2', 4, 5)).toBe(4);
  expect(await free('vlan', 'physnet3', 100, 200)).toBe(100);
  expect(await free('vxlan', null, 100, 200)).toBe(101);
  expect(await free('vxlan', null, 1, 200)).toBe(1);
}

test('SQLite: the lowest free id per type and physical network', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'segments-'));
  const db = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }, WRITE_SIDE_TABLES);
  try {
    await check(db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

(skipPg ? test.skip : test)('PostgreSQL: the lowest free id per type and physical network', async () => {
  const config: DatabaseConfig = { kind: 'postgres', url: PG_URL, schema: `segments_${randomUUID().replace(/-/g, '').slice(0, 12)}` };
  const db = await openDatabase(config, WRITE_SIDE_TABLES);
  try {
    await check(db);
  } finally {
    await db.run(`DROP SCHEMA IF EXISTS "${config.schema}" CASCADE`);
    await db.close();
  }
});
