/**
 * Automatic IP allocation from the per-subnet free ranges (ip_availability), over
 * HTTP on SQLite and on PostgreSQL: the lowest free address in pool order after
 * many ports, after deletes (freed addresses are handed out again, lowest first),
 * after the pools change, and under concurrent creates; and the free ranges stay
 * what a rebuild from the events, or the pools minus the held addresses, gives.
 */
import { freeRangesOf, parseIp, poolsToRanges } from '@cp/domain';
import { ipKey } from '@cp/write-model';
import { startInProcess, type Json } from '../support/control-plane';

type Plane = Awaited<ReturnType<typeof startInProcess>>;
const PG_URL = process.env.PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const skipPg = process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true';
const ENV = { CP_QUOTA_PORT: '-1' };

const ip = (n: number) => `10.80.${n >> 8}.${n & 255}`;
const addressOf = (port: Json) => port.fixed_ips[0].ip_address as string;

async function scenario(cp: Plane) {
  const api = cp.api;
  const net = (await api.post('/v2.0/networks', { network: { name: 'big' } })).body!.network;
  const subnet = (await api.post('/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.80.0.0/20' } })).body!.subnet;
  const create = async () => {
    const res = await api.post('/v2.0/ports', { port: { network_id: net.id } });
    expect(res.status).toBe(201);
    return res.body!.port as Json;
  };

  // Many ports: 600 in bulk requests, then one more takes the next address.
  const made: Json[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await api.post('/v2.0/ports', { ports: Array.from({ length: 100 }, () => ({ network_id: net.id })) });
    expect(res.status).toBe(201);
    made.push(...(res.body!.ports as Json[]));
  }
  expect(made.map(addressOf)).toEqual(Array.from({ length: 600 }, (_, i) => ip(i + 2)));
  expect(addressOf(await create())).toBe(ip(602));

  // Deletes free addresses; they come back lowest first, then allocation carries on after the highest.
  for (const n of [400, 7, 8, 150]) expect((await api.del(`/v2.0/ports/${made[n - 2].id}`)).status).toBe(204);
  expect([addressOf(await create()), addressOf(await create()), addressOf(await create())]).toEqual([ip(7), ip(8), ip(150)]);
  // An address named explicitly is skipped by automatic allocation; one moved off by an update is freed.
  const named = await api.post('/v2.0/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: ip(400) }] } });
  expect(named.status).toBe(201);
  const moved = await api.put(`/v2.0/ports/${made[10].id}`, { port: { fixed_ips: [{ ip_address: ip(3000) }] } });
  expect(addressOf(moved.body!.port)).toBe(ip(3000));
  expect([addressOf(await create()), addressOf(await create())]).toEqual([ip(12), ip(603)]);

  // New pools: the first pool given comes first, addresses held inside it are skipped.
  const pools = [
    { start: ip(3000), end: ip(3002) },
    { start: ip(2), end: ip(700) },
  ];
  expect((await api.put(`/v2.0/subnets/${subnet.id}`, { subnet: { allocation_pools: pools } })).status).toBe(200);
  expect([addressOf(await create()), addressOf(await create()), addressOf(await create())]).toEqual([ip(3001), ip(3002), ip(604)]);

  // Concurrent creates: distinct addresses, exactly the lowest free ones.
  const together = await Promise.all(Array.from({ length: 20 }, () => api.post('/v2.0/ports', { port: { network_id: net.id } })));
  expect(together.map((r) => r.status)).toEqual(Array(20).fill(201));
  expect(together.map((r) => addressOf(r.body!.port)).sort()).toEqual(Array.from({ length: 20 }, (_, i) => ip(605 + i)).sort());

  // A shrunk pool that is full refuses, and a delete makes room again.
  const small = [{ start: ip(2), end: ip(600) }];
  expect((await api.put(`/v2.0/subnets/${subnet.id}`, { subnet: { allocation_pools: small } })).status).toBe(200);
  const full = await api.post('/v2.0/ports', { port: { network_id: net.id } });
  expect([full.status, full.body!.NeutronError.type]).toEqual([409, 'IpAddressGenerationFailure']);
  expect((await api.del(`/v2.0/ports/${made[98].id}`)).status).toBe(204);
  expect(addressOf(await create())).toBe(ip(100));

  await expectConsistent(cp, subnet.id, small);
}

/** ip_availability is the pools minus the held addresses, and a rebuild from position 0 writes the same rows. */
async function expectConsistent(cp: Plane, subnetId: string, pools: Array<{ start: string; end: string }>) {
  const { db, store } = cp.running.ws;
  const rows = (tx?: never) =>
    db.all('SELECT first_key, last_key, pool_index FROM ip_availability WHERE subnet_id = ? ORDER BY first_key', [subnetId], tx);
  const live = await rows();
  const held = await db.all<{ ip_address: string }>('SELECT ip_address FROM ip_allocations WHERE subnet_id = ?', [subnetId]);
  const expected = freeRangesOf(
    poolsToRanges(pools),
    held.map((h) => parseIp(h.ip_address)!.value),
  ).map((r) => ({ first_key: ipKey(r.start), last_key: ipKey(r.end), pool_index: r.pool }));
  expect(live.map((r) => ({ ...r, pool_index: Number(r.pool_index) }))).toEqual(
    expected.sort((a, b) => a.first_key.localeCompare(b.first_key)),
  );

  const { WRITE_INDEXES } = await import('../../libs/write-model/src/resources/registry');
  const tables = ['resources', 'segment_allocations', ...WRITE_INDEXES.flatMap((w) => w.tables.map((t) => t.meta.tableName))];
  const rollback = new Error('rollback');
  let rebuilt: unknown[] = [];
  await store
    .transaction(async (tx) => {
      await db.truncate(tables, tx);
      await store.replayInline(tx);
      rebuilt = await rows(tx as never);
      throw rollback;
    })
    .catch((e) => {
      if (e !== rollback) throw e;
    });
  expect(rebuilt).toEqual(live);
}

describe('IP allocation from free ranges on SQLite', () => {
  let cp: Plane;
  beforeAll(async () => {
    cp = await startInProcess(ENV);
  });
  afterAll(async () => cp.close());

  it('hands out the lowest free address after many ports, deletes, pool changes and concurrent creates', () => scenario(cp));
});

(skipPg ? describe.skip : describe)('IP allocation from free ranges on PostgreSQL', () => {
  const schema = `ipam_test_${process.pid}_${Date.now()}`;
  let cp: Plane;
  beforeAll(async () => {
    cp = await startInProcess({ ...ENV, CP_EVENT_STORE_URL: PG_URL, CP_EVENT_STORE_SCHEMA: schema });
  });
  afterAll(async () => {
    await cp.running.ws.db.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await cp.close();
  });

  it('hands out the lowest free address after many ports, deletes, pool changes and concurrent creates', () => scenario(cp));

  // Two API instances on one database: their concurrent creates on one subnet never share an address.
  it('gives two instances creating on one subnet at once distinct addresses', async () => {
    const other = await startInProcess({ ...ENV, CP_EVENT_STORE_URL: PG_URL, CP_EVENT_STORE_SCHEMA: schema });
    try {
      const net = (await cp.api.post('/v2.0/networks', { network: { name: 'shared' } })).body!.network;
      const subnet = (await cp.api.post('/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.81.0.0/24' } })).body!
        .subnet;
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? other : cp).api.post('/v2.0/ports', { port: { network_id: net.id } })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(40).fill(201));
      const got = results.map((r) => r.body!.port.fixed_ips[0].ip_address as string);
      expect(new Set(got).size).toBe(40);
      expect(got.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `10.81.0.${i + 2}`).sort());
      await expectConsistent(cp, subnet.id, subnet.allocation_pools);
    } finally {
      await other.close();
    }
  });
});
