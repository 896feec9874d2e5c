/*
 * Time travel in embedded mode: a host's L2, L3 and DHCP documents as they were
 * at a log position or a time, built from the newest snapshot at or before it
 * plus the events between (or the log from 0 when there is none), and the L2
 * diff between two points, against a known history: a port moved to another
 * host and deleted, an HA router failing over.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../apps/api/src/cli/controlplane';
import { buildDist } from '../support/build-dist';
import { client, expectStatus as ok, removeDir, spawnControlPlane, type ControlPlaneProcess, type Json } from '../support/control-plane';

let cp: ControlPlaneProcess;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  buildDist();
  // No scheduled snapshots: the test takes one where it wants it.
  cp = await spawnControlPlane({ env: { CP_SNAPSHOT_EVERY: '0' } });
  api = client(cp.url);
});
afterAll(async () => {
  await cp.kill();
  removeDir(cp.dataDir);
});

/** The position and time of the newest event. */
async function head(): Promise<{ position: number; time: string }> {
  let after = 0;
  let last: Json | undefined;
  for (;;) {
    const events = ok(await api.get(`/v1/events?after=${after}&limit=1000`), 200).events as Json[];
    if (events.length === 0) break;
    last = events.at(-1);
    after = last!.position as number;
  }
  return { position: last!.position as number, time: last!.occurred_at as string };
}

const l2 = (doc: Json) => ({ networks: doc.networks, ipsets: doc.ipsets, ports: doc.ports, security_groups: doc.security_groups });

test('L2 and DHCP documents and resources at a position or a time, before and after a snapshot; the diff of a move, a delete and a tunnel IP change', async () => {
  for (const [host, ip] of [
    ['compute-1', '198.18.0.1'],
    ['compute-2', '198.18.0.2'],
    ['compute-3', '198.18.0.3'],
  ]) {
    ok(await api.put(`/v1/agents/Open%20vSwitch%20agent/${host}`, { tunnel_ip: ip }), 200);
  }
  ok(await api.put('/v1/agents/DHCP%20agent/net-1', {}), 200);
  const net = ok(await api.post('/v2.0/networks', { network: { name: 'tt' } }), 201).network as Json;
  ok(await api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.9.0.0/24', ip_version: 4 } }), 201);
  const port = async (host: string) => {
    const p = ok(await api.post('/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': host } }), 201).port as Json;
    ok(await api.post(`/v1/hosts/${host}/ports/${p.id}/up`), 200);
    return p;
  };
  await port('compute-1');
  const b = await port('compute-2');
  const bIp = (b.fixed_ips as Json[])[0].ip_address as string;
  const first = await head();
  const docFirst = ok(await api.get('/v1/hosts/compute-1/l2'), 200);
  const dhcpFirst = ok(await api.get('/v1/hosts/net-1/dhcp'), 200);

  // A snapshot after the first point: the second point is built from it, the first from the log.
  const snapshot = () =>
    main(['node', 'controlplane', 'snapshot', '--data-dir', cp.dataDir, '--keep', '3'], { stdout: () => {}, stderr: () => {} });
  expect(await snapshot()).toBe(0);

  ok(await api.put(`/v2.0/ports/${b.id}`, { port: { 'binding:host_id': 'compute-3' } }), 200);
  ok(await api.post(`/v1/hosts/compute-3/ports/${b.id}/up`), 200);
  const second = await head();
  const docSecond = ok(await api.get('/v1/hosts/compute-1/l2'), 200);
  ok(await api.del(`/v2.0/ports/${b.id}`), 204);

  const atFirst = ok(await api.get(`/v1/hosts/compute-1/l2?at=${first.position}`), 200);
  expect(atFirst.position).toBe(first.position);
  expect(l2(atFirst)).toEqual(l2(docFirst));
  expect(l2(ok(await api.get(`/v1/hosts/compute-1/l2?at=${encodeURIComponent(first.time)}`), 200))).toEqual(l2(docFirst));
  expect(l2(ok(await api.get(`/v1/hosts/compute-1/l2?at=${second.position}`), 200))).toEqual(l2(docSecond));
  const dhcpAt = ok(await api.get(`/v1/hosts/net-1/dhcp?at=${first.position}`), 200);
  expect(dhcpAt.networks).toEqual(dhcpFirst.networks);

  const moved = ok(await api.get(`/v1/hosts/compute-1/l2/diff?from=${first.position}&to=${second.position}`), 200);
  expect(moved.networks[net.id]).toEqual({
    flood: { added: ['198.18.0.3'], removed: ['198.18.0.2'] },
    fdb: { added: [['198.18.0.3', b.mac_address, bIp]], removed: [['198.18.0.2', b.mac_address, bIp]] },
  });
  const deleted = ok(await api.get(`/v1/hosts/compute-1/l2/diff?from=${second.position}`), 200);
  expect(deleted.networks[net.id]).toEqual({
    flood: { added: [], removed: ['198.18.0.3'] },
    fdb: { added: [], removed: [['198.18.0.3', b.mac_address, bIp]] },
  });

  // compute-2's agent re-registers with another tunnel IP: its remote moves in compute-1's document.
  const c = await port('compute-2');
  const cIp = (c.fixed_ips as Json[])[0].ip_address as string;
  const beforeChange = await head();
  ok(await api.put('/v1/agents/Open%20vSwitch%20agent/compute-2', { tunnel_ip: '198.18.0.22' }), 200);
  const retunnelled = ok(await api.get(`/v1/hosts/compute-1/l2/diff?from=${beforeChange.position}`), 200);
  expect(retunnelled.networks[net.id]).toEqual({
    flood: { added: ['198.18.0.22'], removed: ['198.18.0.2'] },
    fdb: { added: [['198.18.0.22', c.mac_address, cIp]], removed: [['198.18.0.2', c.mac_address, cIp]] },
  });

  // The resources themselves, as they were.
  const portThen = ok(await api.get(`/v2.0/ports/${b.id}?at=${first.position}`), 200);
  expect(portThen).toMatchObject({ position: first.position, port: { id: b.id, 'binding:host_id': 'compute-2', status: 'ACTIVE' } });
  expect((ok(await api.get(`/v2.0/ports/${b.id}?at=${second.position}`), 200).port as Json)['binding:host_id']).toBe('compute-3');
  expect((await api.get(`/v2.0/ports/${b.id}`)).status).toBe(404);
  expect((ok(await api.get(`/v2.0/networks/${net.id}?at=${first.position}`), 200).network as Json).subnets).toHaveLength(1);
  // Another project's member sees nothing of it, then or now.
  expect((await api.as('someone-else').get(`/v2.0/ports/${b.id}?at=${first.position}`)).status).toBe(404);

  // --keep 3 (CP_SNAPSHOT_KEEP): older snapshots stay for time travel, up to three.
  for (let i = 0; i < 3; i++) {
    await port('compute-1');
    expect(await snapshot()).toBe(0);
  }
  expect(readdirSync(join(cp.dataDir, 'snapshots', 'l2'))).toHaveLength(3);

  const bad = await api.get('/v1/hosts/compute-1/l2?at=yesterday');
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('give a log position (an integer) or an RFC 3339 time');
});

test('an HA router before and after a failover: the L3 document at each point', async () => {
  for (const host of ['net-1', 'net-2']) ok(await api.put(`/v1/agents/L3%20agent/${host}`, {}), 200);
  const router = ok(await api.post('/v2.0/routers', { router: { name: 'tt-ha', ha: true } }), 201).router as Json;
  const routerOn = async (host: string) => (ok(await api.get(`/v1/hosts/${host}/l3`), 200).routers as Json)[router.id as string] as Json;
  for (let i = 0; i < 100 && !((await routerOn('net-1')) && (await routerOn('net-2'))); i++) await new Promise((r) => setTimeout(r, 50));
  ok(await api.put(`/v1/hosts/net-1/routers/${router.id}/ha_state`, { state: 'active' }), 200);
  const before = await head();
  ok(await api.put(`/v1/hosts/net-1/routers/${router.id}/ha_state`, { state: 'standby' }), 200);
  ok(await api.put(`/v1/hosts/net-2/routers/${router.id}/ha_state`, { state: 'active' }), 200);

  expect((await routerOn('net-1')).active_host).toBe('net-2');
  const then = ok(await api.get(`/v1/hosts/net-1/l3?at=${before.position}`), 200);
  expect(then.position).toBe(before.position);
  expect((then.routers as Json)[router.id as string]).toMatchObject({ state: 'active', active_host: 'net-1' });

  // Provenance of the router on net-1 now: its HA network and VRID, its scheduling, its report, and the active host's.
  const why = ok(await api.get(`/v1/hosts/net-1/l3/explain?router=${router.id}`), 200);
  expect(why.present).toBe(true);
  const said = (why.because as Json[]).map((c) => `${c.type}: ${c.why}`);
  expect(said[0]).toBe('RouterCreated: router created (HA)');
  expect(said).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^HaNetworkCreated: HA network .* created for project /),
      expect.stringMatching(/^VridAllocated: VRID 1 allocated on HA network /),
      expect.stringMatching(/^RouterScheduledToAgent: scheduled to host net-1 \(keepalived priority \d+\)$/),
      'RouterHaStateReported: host net-1 reported standby',
      'RouterHaStateReported: host net-2 reported active',
    ]),
  );
  const elsewhere = ok(await api.get(`/v1/hosts/net-9/l3/explain?router=${router.id}`), 200);
  expect(elsewhere).toMatchObject({ present: false, absent_because: `router ${router.id} is not scheduled to host net-9` });

  let out = '';
  const code = await main(
    ['node', 'controlplane', 'explain', '--data-dir', cp.dataDir, '--host', 'net-1', '--router', router.id as string],
    {
      stdout: (t) => (out += t),
      stderr: () => {},
    },
  );
  expect(code).toBe(0);
  expect(out.split('\n')[0]).toBe(`host net-1 has router ${router.id}, because:`);
  expect(out).toContain('RouterHaStateReported: host net-2 reported active');
});
