import { startInProcess, type Json } from '../support/control-plane';

type Plane = Awaited<ReturnType<typeof startInProcess>>;
type Res = { status: number; body: Json | null };
let cp: Plane;

beforeAll(async () => {
  cp = await startInProcess();
});
afterAll(async () => cp.close());

const MAC = /^fa:16:3e(:[0-9a-f]{2}){3}$/;
const network = async (api = cp.api, body: object = {}) =>
  (await api.post('/v2.0/networks', { network: { name: 'n', ...body } })).body!.network;
const subnet = async (networkId: string, cidr: string, body: object = {}) =>
  (await cp.api.post('/v2.0/subnets', { subnet: { network_id: networkId, ip_version: cidr.includes(':') ? 6 : 4, cidr, ...body } })).body!
    .subnet;
const port = (networkId: string, body: object = {}, api = cp.api) => api.post('/v2.0/ports', { port: { network_id: networkId, ...body } });
const ids = (res: Res, key = 'ports') => res.body![key].map((p: { id: string }) => p.id);

async function refused(call: () => Promise<Res>, status: number, type: string, message?: RegExp) {
  const before = await cp.head();
  const res = await call();
  expect({ status: res.status, type: res.body?.NeutronError?.type }).toEqual({ status, type });
  if (message) expect(res.body!.NeutronError.message).toMatch(message);
  expect(await cp.head()).toBe(before);
}

describe('ports over HTTP', () => {
  let net: Json;
  let s4: Json;
  beforeAll(async () => {
    net = await network();
    s4 = await subnet(net.id, '10.0.0.0/24');
  });

  it("creates a port with the first free address, a generated MAC and the project's default group", async () => {
    const res = await port(net.id, { name: 'vm1', device_id: 'vm-1', device_owner: 'compute:nova' });
    expect(res.status).toBe(201);
    const p = res.body!.port;
    expect(p).toEqual({
      id: expect.any(String),
      name: 'vm1',
      network_id: net.id,
      tenant_id: net.project_id,
      project_id: net.project_id,
      mac_address: expect.stringMatching(MAC),
      admin_state_up: true,
      status: 'DOWN',
      device_id: 'vm-1',
      device_owner: 'compute:nova',
      fixed_ips: [{ subnet_id: s4.id, ip_address: '10.0.0.2' }],
      security_groups: [expect.any(String)],
      port_security_enabled: true,
      allowed_address_pairs: [],
      'binding:host_id': '',
      'binding:vif_type': 'unbound',
      'binding:vnic_type': 'normal',
      'binding:profile': {},
      'binding:vif_details': {},
      extra_dhcp_opts: [],
      description: '',
      tags: [],
      created_at: expect.any(String),
      updated_at: expect.any(String),
      revision_number: 1,
    });
    const sg = (await cp.api.get(`/v2.0/security-groups/${p.security_groups[0]}`)).body!.security_group;
    expect(sg).toMatchObject({ name: 'default', project_id: net.project_id });
    expect((await cp.api.get(`/v2.0/ports/${p.id}`)).body!.port).toEqual(p);
  });

  it('takes given addresses and MACs, several fixed IPs, pairs, and no groups without port security', async () => {
    const v6 = await subnet(net.id, '2001:db8::/64', { ipv6_address_mode: 'dhcpv6-stateful', ipv6_ra_mode: 'dhcpv6-stateful' });
    const many = (
      await port(net.id, {
        fixed_ips: [{ subnet_id: s4.id, ip_address: '10.0.0.100' }, { subnet_id: s4.id }, { ip_address: '2001:db8::100' }],
      })
    ).body!.port;
    expect(many.fixed_ips).toEqual([
      { subnet_id: s4.id, ip_address: '10.0.0.100' },
      { subnet_id: s4.id, ip_address: expect.stringMatching(/^10\.0\.0\.\d+$/) },
      { subnet_id: v6.id, ip_address: '2001:db8::100' },
    ]);
    const auto = (await port(net.id)).body!.port;
    expect(auto.fixed_ips.map((f: { subnet_id: string }) => f.subnet_id)).toEqual([s4.id, v6.id]);
    const withMac = (await port(net.id, { mac_address: 'FA-16-3E-00-00-01' })).body!.port;
    expect(withMac.mac_address).toBe('fa:16:3e:00:00:01');
    const paired = (
      await port(net.id, {
        allowed_address_pairs: [{ ip_address: '10.0.0.200' }, { ip_address: '192.168.0.0/24', mac_address: 'fa:16:3e:aa:bb:cc' }],
      })
    ).body!.port;
    expect(paired.allowed_address_pairs).toEqual([
      { ip_address: '10.0.0.200', mac_address: paired.mac_address },
      { ip_address: '192.168.0.0/24', mac_address: 'fa:16:3e:aa:bb:cc' },
    ]);
    const open = (await port(net.id, { port_security_enabled: false })).body!.port;
    expect(open).toMatchObject({ port_security_enabled: false, security_groups: [] });
    const sg = (await cp.api.post('/v2.0/security-groups', { security_group: { name: 'web' } })).body!.security_group;
    expect((await port(net.id, { security_groups: [sg.id] })).body!.port.security_groups).toEqual([sg.id]);
    expect((await cp.api.put(`/v2.0/ports/${open.id}`, { port: { name: 'renamed' } })).body!.port).toMatchObject({
      name: 'renamed',
      revision_number: 2,
    });
  });

  it('refuses bad or taken addresses and leaves the store alone', async () => {
    await port(net.id, { fixed_ips: [{ ip_address: '10.0.0.50' }], mac_address: 'fa:16:3e:00:00:50' });
    await refused(
      () => port(net.id, { fixed_ips: [{ subnet_id: s4.id, ip_address: '10.0.1.5' }] }),
      400,
      'InvalidIpForSubnet',
      /10\.0\.1\.5/,
    );
    await refused(() => port(net.id, { fixed_ips: [{ ip_address: '172.16.0.5' }] }), 400, 'InvalidIpForNetwork', /172\.16\.0\.5/);
    await refused(
      () => port(net.id, { fixed_ips: [{ ip_address: '10.0.0.256' }] }),
      400,
      'HTTPBadRequest',
      /'10\.0\.0\.256' is not a valid IP address/,
    );
    await refused(() => port(net.id, { fixed_ips: [{ ip_address: '10.0.0.50' }] }), 409, 'IpAddressAlreadyAllocated', /10\.0\.0\.50/);
    await refused(() => port(net.id, { mac_address: 'fa:16:3e:00:00:50' }), 409, 'MacAddressInUse', /fa:16:3e:00:00:50/);
    await refused(() => port(net.id, { mac_address: 'not-a-mac' }), 400, 'HTTPBadRequest', /not-a-mac/);
    await refused(() => port(net.id, { security_groups: ['00000000-0000-4000-8000-00000000dead'] }), 404, 'SecurityGroupNotFound');
    await refused(
      () => port(net.id, { port_security_enabled: false, allowed_address_pairs: [{ ip_address: '10.0.0.9' }] }),
      409,
      'AddressPairAndPortSecurityRequired',
    );
    await refused(() => port('00000000-0000-4000-8000-000000000000'), 404, 'NetworkNotFound');
    await refused(() => port(net.id, { colour: 'red' }), 400, 'HTTPBadRequest', /colour/);
    await refused(() => cp.api.get('/v2.0/ports/00000000-0000-4000-8000-000000000000'), 404, 'PortNotFound');
  });

  it('moves an address between ports once an update releases it', async () => {
    const a = (await port(net.id, { fixed_ips: [{ ip_address: '10.0.0.60' }] })).body!.port;
    await refused(() => port(net.id, { fixed_ips: [{ ip_address: '10.0.0.60' }] }), 409, 'IpAddressAlreadyAllocated');
    const moved = await cp.api.put(`/v2.0/ports/${a.id}`, { port: { fixed_ips: [{ ip_address: '10.0.0.61' }] } });
    expect(moved.body!.port.fixed_ips).toEqual([{ subnet_id: s4.id, ip_address: '10.0.0.61' }]);
    expect((await port(net.id, { fixed_ips: [{ ip_address: '10.0.0.60' }] })).status).toBe(201);
  });

  it("changes an unbound port's MAC (not a bound one's, nor to a taken one) and refuses a group named twice", async () => {
    const a = (await port(net.id)).body!.port;
    const b = (await port(net.id)).body!.port;
    const changed = await cp.api.put(`/v2.0/ports/${a.id}`, { port: { mac_address: 'FA:16:3E:12:34:56' } });
    expect([changed.status, changed.body!.port.mac_address]).toEqual([200, 'fa:16:3e:12:34:56']);
    await refused(() => cp.api.put(`/v2.0/ports/${b.id}`, { port: { mac_address: 'fa:16:3e:12:34:56' } }), 409, 'MacAddressInUse');
    await cp.api.put(`/v2.0/ports/${b.id}`, { port: { 'binding:host_id': 'compute-9' } });
    await refused(() => cp.api.put(`/v2.0/ports/${b.id}`, { port: { mac_address: 'fa:16:3e:65:43:21' } }), 409, 'PortBound');
    const group = a.security_groups[0];
    const twice = await cp.api.put(`/v2.0/ports/${a.id}`, { port: { security_groups: [group, group] } });
    expect([twice.status, twice.body!.NeutronError.message]).toEqual([400, expect.stringMatching(/Duplicate items in the list/)]);
  });

  it('gives a port whose MAC changes a new EUI-64 address on a SLAAC subnet, keeping its other addresses', async () => {
    const dual = await network();
    const v4 = await subnet(dual.id, '10.78.0.0/24');
    const v6 = await subnet(dual.id, '2001:db8:78::/64', { ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' });
    const p = (await port(dual.id, { mac_address: 'fa:16:3e:00:00:01' })).body!.port;
    expect(p.fixed_ips).toEqual([
      { subnet_id: v4.id, ip_address: '10.78.0.2' },
      { subnet_id: v6.id, ip_address: '2001:db8:78:0:f816:3eff:fe00:1' },
    ]);
    const moved = (await cp.api.put(`/v2.0/ports/${p.id}`, { port: { mac_address: 'fa:16:3e:00:00:02' } })).body!.port;
    expect(moved.fixed_ips).toEqual([
      { subnet_id: v4.id, ip_address: '10.78.0.2' },
      { subnet_id: v6.id, ip_address: '2001:db8:78:0:f816:3eff:fe00:2' },
    ]);
  });

  it('takes its default of port security from the network', async () => {
    const open = (await cp.api.post('/v2.0/networks', { network: { name: 'open', port_security_enabled: false } })).body!.network;
    expect(open.port_security_enabled).toBe(false);
    await subnet(open.id, '10.77.0.0/24');
    expect((await port(open.id)).body!.port).toMatchObject({ port_security_enabled: false, security_groups: [] });
    expect((await port(open.id, { port_security_enabled: true })).body!.port.port_security_enabled).toBe(true);
  });

  it('binds, reports up and down, rebinds to DOWN and unbinds', async () => {
    const p = (await port(net.id, { 'binding:host_id': 'compute-1' })).body!.port;
    expect(p).toMatchObject({ status: 'DOWN', 'binding:host_id': 'compute-1', 'binding:vif_type': 'ovs' });
    // What Nova's os-vif reads to plug the VM, as Neutron's Open vSwitch driver sets it.
    expect(p['binding:vif_details']).toEqual({
      port_filter: true,
      ovs_hybrid_plug: true,
      datapath_type: 'system',
      bridge_name: 'br-int',
      connectivity: 'l2',
      bound_drivers: { '0': 'openvswitch' },
    });
    const up = await cp.api.post(`/v1/hosts/compute-1/ports/${p.id}/up`);
    expect(up.status).toBe(200);
    expect(up.body!.port.status).toBe('ACTIVE');
    await refused(() => cp.api.post(`/v1/hosts/compute-2/ports/${p.id}/up`), 409, 'PortNotBoundToHost', /bound to host compute-1/);
    await refused(() => cp.api.post(`/v1/hosts/compute-1/ports/00000000-0000-4000-8000-000000000000/up`), 404, 'PortNotFound');
    const rebound = await cp.api.put(`/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'compute-2' } });
    expect(rebound.body!.port).toMatchObject({ status: 'DOWN', 'binding:host_id': 'compute-2' });
    // A late "down" from the old host must not touch the port on its new host.
    const before = await cp.head();
    expect((await cp.api.post(`/v1/hosts/compute-1/ports/${p.id}/down`)).status).toBe(200);
    expect(await cp.head()).toBe(before);
    expect((await cp.api.post(`/v1/hosts/compute-2/ports/${p.id}/up`)).body!.port.status).toBe('ACTIVE');
    expect((await cp.api.post(`/v1/hosts/compute-2/ports/${p.id}/down`)).body!.port.status).toBe('DOWN');
    const unbound = await cp.api.put(`/v2.0/ports/${p.id}`, { port: { 'binding:host_id': '' } });
    expect(unbound.body!.port).toMatchObject({
      'binding:host_id': '',
      'binding:vif_type': 'unbound',
      'binding:vif_details': {},
      status: 'DOWN',
    });
    const types = (await cp.api.get(`/v1/events?resource_type=port&resource_id=${p.id}`)).body!.events.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'PortCreated',
      'PortBoundToHost',
      'PortActivated',
      'PortBoundToHost',
      'PortActivated',
      'PortDeactivated',
      'PortUnbound',
    ]);
  });

  it('filters lists by address, subnet, network, device, owner, host and MAC', async () => {
    const other = await network();
    await subnet(other.id, '10.0.0.0/24');
    const a = (
      await port(net.id, {
        fixed_ips: [{ ip_address: '10.0.0.77' }],
        device_id: 'dev-a',
        device_owner: 'compute:az1',
        'binding:host_id': 'h-a',
      })
    ).body!.port;
    const b = (await port(other.id, { fixed_ips: [{ ip_address: '10.0.0.77' }], device_id: 'dev-b' })).body!.port;
    expect(ids(await cp.api.get('/v2.0/ports?fixed_ips=ip_address%3D10.0.0.77')).sort()).toEqual([a.id, b.id].sort());
    expect(ids(await cp.api.get(`/v2.0/ports?fixed_ips=ip_address%3D10.0.0.77&network_id=${other.id}`))).toEqual([b.id]);
    expect(ids(await cp.api.get(`/v2.0/ports?fixed_ips=subnet_id%3D${s4.id}&device_id=dev-a`))).toEqual([a.id]);
    expect(ids(await cp.api.get('/v2.0/ports?device_owner=compute:az1'))).toEqual([a.id]);
    expect(ids(await cp.api.get('/v2.0/ports?binding:host_id=h-a'))).toEqual([a.id]);
    expect(ids(await cp.api.get(`/v2.0/ports?mac_address=${b.mac_address}`))).toEqual([b.id]);
    expect((await cp.api.get('/v2.0/ports?colour=red')).status).toBe(400);
  });

  it('deletes a port and frees its address and MAC', async () => {
    const p = (await port(net.id, { fixed_ips: [{ ip_address: '10.0.0.90' }], mac_address: 'fa:16:3e:00:00:90' })).body!.port;
    expect((await cp.api.del(`/v2.0/ports/${p.id}`)).status).toBe(204);
    await refused(() => cp.api.del(`/v2.0/ports/${p.id}`), 404, 'PortNotFound');
    expect((await port(net.id, { fixed_ips: [{ ip_address: '10.0.0.90' }], mac_address: 'fa:16:3e:00:00:90' })).status).toBe(201);
  });
});

describe('ports across projects', () => {
  it("hides another project's ports and keeps admin-only binding to admins", async () => {
    const alice = cp.api.as('alice');
    const bob = cp.api.as('bob');
    const net = await network(alice);
    await alice.post('/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.7.0.0/24' } });
    const mine = (await port(net.id, {}, alice)).body!.port;
    expect(mine).not.toHaveProperty('binding:host_id');
    await refused(() => bob.get(`/v2.0/ports/${mine.id}`), 404, 'PortNotFound');
    await refused(() => bob.put(`/v2.0/ports/${mine.id}`, { port: { name: 'x' } }), 404, 'PortNotFound');
    await refused(() => bob.del(`/v2.0/ports/${mine.id}`), 404, 'PortNotFound');
    await refused(() => port(net.id, {}, bob), 404, 'NetworkNotFound');
    expect(ids(await bob.get('/v2.0/ports'))).not.toContain(mine.id);
    await refused(() => port(net.id, { 'binding:host_id': 'compute-1' }, alice), 403, 'PolicyNotAuthorized', /binding:host_id/);
    await refused(() => alice.put(`/v2.0/ports/${mine.id}`, { port: { 'binding:host_id': 'compute-1' } }), 403, 'PolicyNotAuthorized');
    await refused(() => alice.post(`/v1/hosts/compute-1/ports/${mine.id}/up`), 403, 'PolicyNotAuthorized');

    const shared = await network(cp.api, { shared: true });
    await subnet(shared.id, '10.8.0.0/24');
    const theirs = await port(shared.id, {}, bob);
    expect(theirs.status).toBe(201);
    expect(theirs.body!.port.project_id).toBe('bob');
    await refused(() => port(shared.id, { fixed_ips: [{ ip_address: '10.8.0.9' }] }, bob), 403, 'PolicyNotAuthorized', /ip_address/);
    await refused(() => port(shared.id, { mac_address: 'fa:16:3e:01:02:03' }, bob), 403, 'PolicyNotAuthorized', /mac_address/);
    const external = await network(cp.api, { 'router:external': true });
    await refused(() => port(external.id, {}, bob), 403, 'HTTPForbidden', /not allowed to create port on this network/);
    // The network's owner (here the admin's project) sees ports others made on it.
    expect((await cp.api.get(`/v2.0/ports/${theirs.body!.port.id}`)).status).toBe(200);
  });
});

describe('address allocation under load', () => {
  it('gives 50 concurrent creates on a /26 distinct addresses', async () => {
    const net = await network();
    await subnet(net.id, '10.64.0.0/26');
    const results = await Promise.all(Array.from({ length: 50 }, () => port(net.id)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const ips = results.map((r) => r.body!.port.fixed_ips[0].ip_address);
    const macs = results.map((r) => r.body!.port.mac_address);
    expect(new Set(ips).size).toBe(50);
    expect(new Set(macs).size).toBe(50);
  });

  it('exhausts a /29 with 409 IpAddressGenerationFailure and appends nothing for the refused create', async () => {
    const net = await network();
    await subnet(net.id, '10.65.0.0/29');
    const made = await Promise.all(Array.from({ length: 5 }, () => port(net.id)));
    expect(made.map((r) => r.body!.port.fixed_ips[0].ip_address).sort()).toEqual([
      '10.65.0.2',
      '10.65.0.3',
      '10.65.0.4',
      '10.65.0.5',
      '10.65.0.6',
    ]);
    await refused(() => port(net.id), 409, 'IpAddressGenerationFailure', /No more IP addresses available/);
  });

  it('hands out distinct addresses to several ports made in one unit of work (the routers slice does this)', async () => {
    const { createPortInUow } = await import('../../libs/write-model/src/port-writes');
    const net = await network();
    const s = await subnet(net.id, '10.66.0.0/24');
    const ctx = {
      projectId: net.project_id,
      actor: 'test',
      requestId: 'req-test',
      causationId: null,
      now: new Date().toISOString(),
      isAdmin: true,
    };
    const { result } = await cp.running.ws.runner.run(ctx, async (uow) => [
      await createPortInUow(uow, { networkId: net.id, projectId: net.project_id, deviceOwner: 'network:router_ha_interface' }),
      await createPortInUow(uow, { networkId: net.id, projectId: net.project_id, deviceOwner: 'network:router_ha_interface' }),
    ]);
    const shown = await Promise.all(result.map((r) => cp.api.get(`/v2.0/ports/${r.portId}`)));
    expect(shown.map((r) => r.body!.port.fixed_ips)).toEqual([
      [{ subnet_id: s.id, ip_address: '10.66.0.2' }],
      [{ subnet_id: s.id, ip_address: '10.66.0.3' }],
    ]);
  });
});

describe('inline models', () => {
  it('equal a rebuild from position 0', async () => {
    const { WRITE_INDEXES } = await import('../../libs/write-model/src/resources/registry');
    const { db, store } = cp.running.ws;
    const tables = ['resources', 'segment_allocations', ...WRITE_INDEXES.flatMap((w) => w.tables.map((t) => t.meta.tableName))];
    const dump = async (tx?: never) => {
      const out: Record<string, unknown[]> = {};
      for (const t of ['resources', 'ip_allocations', 'ip_availability', 'ip_availability_pools', 'mac_allocations'])
        out[t] = await db.all(`SELECT * FROM ${t} ORDER BY 1, 2`, [], tx);
      return out;
    };
    const live = await dump();
    expect(live.ip_allocations.length).toBeGreaterThan(50);
    const rollback = new Error('rollback');
    let rebuilt: Record<string, unknown[]> = {};
    await store
      .transaction(async (tx) => {
        await db.truncate(tables, tx);
        await store.replayInline(tx);
        rebuilt = await dump(tx as never);
        throw rollback;
      })
      .catch((e) => {
        if (e !== rollback) throw e;
      });
    expect(rebuilt).toEqual(live);
  });
});

// PostgreSQL runs commands concurrently (SERIALIZABLE), so there the losers really
// hit the unique index or a serialization failure and CommandRunner re-decides.
const PG_URL = process.env.PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const skipPg = process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true';
(skipPg ? describe.skip : describe)('address allocation on PostgreSQL', () => {
  const schema = `ports_test_${process.pid}_${Date.now()}`;
  let pg: Plane;
  beforeAll(async () => {
    pg = await startInProcess({ CP_EVENT_STORE_URL: PG_URL, CP_EVENT_STORE_SCHEMA: schema });
  });
  afterAll(async () => {
    await pg.running.ws.db.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pg.close();
  });

  // Commands take the writers' lock first, so fifty at once queue instead of failing
  // each other's SERIALIZABLE checks.
  it('gives fifty concurrent creates distinct addresses', async () => {
    const net = (await pg.api.post('/v2.0/networks', { network: { name: 'pg' } })).body!.network;
    await pg.api.post('/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.64.0.0/26' } });
    const results = await Promise.all(Array.from({ length: 50 }, () => pg.api.post('/v2.0/ports', { port: { network_id: net.id } })));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(results.map((r) => r.body!.port.fixed_ips[0].ip_address)).size).toBe(50);
    expect(new Set(results.map((r) => r.body!.port.mac_address)).size).toBe(50);
  });
});
