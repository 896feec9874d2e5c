import { startInProcess, type Json } from '../support/control-plane';

type Plane = Awaited<ReturnType<typeof startInProcess>>;
let cp: Plane;

beforeAll(async () => {
  cp = await startInProcess();
});
afterAll(async () => cp.close());

const network = async (api = cp.api, body: object = {}) =>
  (await api.post('/v2.0/networks', { network: { name: 'n', ...body } })).body!.network;
const subnet = (networkId: string, body: object = {}, api = cp.api) =>
  api.post('/v2.0/subnets', { subnet: { network_id: networkId, ip_version: 4, cidr: '10.0.0.0/24', ...body } });

/** The request is refused with this status and message, and nothing is appended. */
async function refused(call: () => Promise<{ status: number; body: Json | null }>, status: number, message: RegExp) {
  const before = await cp.head();
  const res = await call();
  expect({ status: res.status, message: res.body?.NeutronError?.message }).toEqual({ status, message: expect.stringMatching(message) });
  expect(await cp.head()).toBe(before);
  return res.body!.NeutronError;
}

describe('subnets over HTTP', () => {
  it('creates an IPv4 subnet with Neutron defaults, shows, lists, updates and deletes it', async () => {
    const net = await network();
    const res = await subnet(net.id, { name: 'private' });
    expect(res.status).toBe(201);
    const s = res.body!.subnet;
    expect(s).toEqual({
      id: expect.any(String),
      name: 'private',
      network_id: net.id,
      tenant_id: net.project_id,
      project_id: net.project_id,
      ip_version: 4,
      cidr: '10.0.0.0/24',
      gateway_ip: '10.0.0.1',
      allocation_pools: [{ start: '10.0.0.2', end: '10.0.0.254' }],
      enable_dhcp: true,
      dns_nameservers: [],
      host_routes: [],
      ipv6_ra_mode: null,
      ipv6_address_mode: null,
      subnetpool_id: null,
      description: '',
      service_types: [],
      tags: [],
      created_at: expect.any(String),
      updated_at: expect.any(String),
      revision_number: 1,
    });
    expect((await cp.api.get(`/v2.0/networks/${net.id}`)).body!.network.subnets).toEqual([s.id]);
    expect((await cp.api.get(`/v2.0/subnets/${s.id}`)).body!.subnet).toEqual(s);
    const listed = await cp.api.get(`/v2.0/subnets?network_id=${net.id}&fields=id&fields=cidr`);
    expect(listed.body).toEqual({ subnets: [{ id: s.id, cidr: '10.0.0.0/24' }] });

    const updated = await cp.api.put(`/v2.0/subnets/${s.id}`, {
      subnet: { name: 'renamed', dns_nameservers: ['8.8.8.8'], enable_dhcp: false },
    });
    expect(updated.body!.subnet).toMatchObject({ name: 'renamed', dns_nameservers: ['8.8.8.8'], enable_dhcp: false, revision_number: 2 });
    expect((await cp.api.del(`/v2.0/subnets/${s.id}`)).status).toBe(204);
    expect((await cp.api.get(`/v2.0/subnets/${s.id}`)).status).toBe(404);
    expect((await cp.api.get(`/v2.0/networks/${net.id}`)).body!.network.subnets).toEqual([]);
  });

  it('takes an IPv4 range with host bits set as its network, as Neutron does (validate_subnet accepts it)', async () => {
    const res = await subnet((await network()).id, { cidr: '10.33.0.5/24' });
    expect([res.status, res.body!.subnet.cidr]).toEqual([201, '10.33.0.0/24']);
  });

  it('creates an IPv6 subnet in canonical form', async () => {
    const net = await network();
    const res = await subnet(net.id, { ip_version: 6, cidr: '2001:DB8:0:0::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' });
    expect(res.status).toBe(201);
    expect(res.body!.subnet).toMatchObject({
      ip_version: 6,
      cidr: '2001:db8::/64',
      gateway_ip: '2001:db8::1',
      ipv6_ra_mode: 'slaac',
      ipv6_address_mode: 'slaac',
      allocation_pools: [{ start: '2001:db8::2', end: '2001:db8::ffff:ffff:ffff:ffff' }],
    });
  });

  it.each(['slaac', 'dhcpv6-stateless'])(
    'deletes a %s subnet that ports use, taking their addresses; the network stays in use (Neutron, Tempest)',
    async (mode) => {
      const net = await network();
      const auto = (await subnet(net.id, { ip_version: 6, cidr: '2001:db8:7::/64', ipv6_ra_mode: mode, ipv6_address_mode: mode })).body!
        .subnet;
      const port = (await cp.api.post('/v2.0/ports', { port: { network_id: net.id } })).body!.port;
      expect(port.fixed_ips).toEqual([{ subnet_id: auto.id, ip_address: expect.stringMatching(/^2001:db8:7:0:/) }]);
      expect((await cp.api.del(`/v2.0/subnets/${auto.id}`)).status).toBe(204);
      expect((await cp.api.get(`/v2.0/ports/${port.id}`)).body!.port.fixed_ips).toEqual([]);
      const busy = await cp.api.del(`/v2.0/networks/${net.id}`);
      expect({ status: busy.status, type: busy.body!.NeutronError.type }).toEqual({ status: 409, type: 'NetworkInUse' });
    },
  );

  it('gives the ports already on a network an address on a new SLAAC subnet, but not a router’s', async () => {
    const net = await network();
    const v4 = (await subnet(net.id, { cidr: '10.9.0.0/24' })).body!.subnet;
    const vm = (await cp.api.post('/v2.0/ports', { port: { network_id: net.id } })).body!.port;
    const router = (await cp.api.post('/v2.0/routers', { router: { name: 'r' } })).body!.router;
    expect((await cp.api.put(`/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: v4.id })).status).toBe(200);
    const slaac = (await subnet(net.id, { ip_version: 6, cidr: '2001:db8:9::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' }))
      .body!.subnet;
    const after = (await cp.api.get(`/v2.0/ports/${vm.id}`)).body!.port;
    expect(after.fixed_ips).toEqual([
      vm.fixed_ips[0],
      { subnet_id: slaac.id, ip_address: expect.stringMatching(/^2001:db8:9:0:f816:3eff:fe/) },
    ]);
    const routerPorts = (await cp.api.get(`/v2.0/ports?device_id=${router.id}`)).body!.ports as Json[];
    expect(routerPorts.flatMap((p) => p.fixed_ips as Json[]).map((f) => f.subnet_id)).toEqual([v4.id]);
  });

  it('keeps a stateful subnet that a port uses (409 SubnetInUse)', async () => {
    const net = await network();
    const v4 = (await subnet(net.id, { cidr: '10.8.0.0/24' })).body!.subnet;
    await cp.api.post('/v2.0/ports', { port: { network_id: net.id } });
    await refused(() => cp.api.del(`/v2.0/subnets/${v4.id}`), 409, /One or more ports have an IP allocation from this subnet/);
  });

  it('keeps given pools and gateway, and accepts a gateway outside the block as Neutron does', async () => {
    const net = await network();
    const res = await subnet(net.id, {
      cidr: '10.1.0.0/24',
      gateway_ip: '10.1.0.254',
      allocation_pools: [{ start: '10.1.0.10', end: '10.1.0.20' }],
    });
    expect(res.body!.subnet).toMatchObject({ gateway_ip: '10.1.0.254', allocation_pools: [{ start: '10.1.0.10', end: '10.1.0.20' }] });
    const outside = await subnet(net.id, { cidr: '10.2.0.0/24', gateway_ip: '192.168.0.1' });
    expect(outside.status).toBe(201);
    expect(outside.body!.subnet.allocation_pools).toEqual([{ start: '10.2.0.1', end: '10.2.0.254' }]);
  });
});

describe('bad subnets change nothing', () => {
  let netId: string;
  beforeAll(async () => {
    netId = (await network()).id;
    await subnet(netId, { cidr: '10.9.0.0/16' });
  });

  const cases: Array<[string, object, number, RegExp]> = [
    ['overlapping cidr', { cidr: '10.9.4.0/24' }, 400, /10\.9\.4\.0\/24 .*overlaps with another subnet/],
    ['invalid cidr', { cidr: '10.0.0.300/24' }, 400, /'10\.0\.0\.300\/24' is not a valid IP subnet/],
    ['cidr of the other version', { cidr: '2001:db8::/64' }, 400, /2001:db8::\/64/],
    ['invalid gateway', { cidr: '10.20.0.0/24', gateway_ip: '10.20.0.x' }, 400, /'10\.20\.0\.x' is not a valid IP address/],
    ['gateway on the broadcast address', { cidr: '10.20.0.0/24', gateway_ip: '10.20.0.255' }, 400, /Gateway is not valid on subnet/],
    [
      'pool outside the cidr',
      { cidr: '10.20.0.0/24', allocation_pools: [{ start: '10.20.1.1', end: '10.20.1.9' }] },
      400,
      /10\.20\.1\.1-10\.20\.1\.9 spans beyond/,
    ],
    ['invalid dns server', { cidr: '10.20.0.0/24', dns_nameservers: ['nope'] }, 400, /nope/],
    ['bad ip_version', { ip_version: 5 }, 400, /ip_version/],
    ['missing cidr', { cidr: undefined }, 400, /cidr/],
    ['unknown attribute', { colour: 'red' }, 400, /Unrecognized attribute\(s\) 'colour'/],
  ];
  it.each(cases)('%s', async (_name, body, status, message) => {
    await refused(() => subnet(netId, body), status, message);
  });

  it('answers an unknown network with 404 and an unknown subnet with 404 SubnetNotFound', async () => {
    await refused(
      () => subnet('00000000-0000-4000-8000-000000000000'),
      404,
      /Network 00000000-0000-4000-8000-000000000000 could not be found/,
    );
    const err = await refused(() => cp.api.del('/v2.0/subnets/00000000-0000-4000-8000-000000000001'), 404, /could not be found/);
    expect(err.type).toBe('SubnetNotFound');
  });

  it('refuses to delete a subnet with ports (409 SubnetInUse) and a network with ports (409 NetworkInUse)', async () => {
    const net = await network();
    const s = (await subnet(net.id)).body!.subnet;
    const port = (await cp.api.post('/v2.0/ports', { port: { network_id: net.id } })).body!.port;
    expect((await refused(() => cp.api.del(`/v2.0/subnets/${s.id}`), 409, /One or more ports have an IP allocation/)).type).toBe(
      'SubnetInUse',
    );
    expect((await refused(() => cp.api.del(`/v2.0/networks/${net.id}`), 409, /one or more ports still in use/)).type).toBe('NetworkInUse');
    expect((await cp.api.get(`/v2.0/subnets/${s.id}`)).status).toBe(200);
    expect((await cp.api.del(`/v2.0/ports/${port.id}`)).status).toBe(204);
    // Deleting the network now takes its subnets with it, in one command.
    expect((await cp.api.del(`/v2.0/networks/${net.id}`)).status).toBe(204);
    expect((await cp.api.get(`/v2.0/subnets/${s.id}`)).status).toBe(404);
    const events = (await cp.api.get(`/v1/events?resource_type=subnet&resource_id=${s.id}`)).body!.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['SubnetCreated', 'SubnetDeleted']);
  });
});

describe('subnets across projects', () => {
  it("hides another project's subnets, shows a shared network's, and lets only its owner change them", async () => {
    const alice = cp.api.as('alice');
    const bob = cp.api.as('bob');
    const private_ = await network(alice);
    const mine = (await subnet(private_.id, {}, alice)).body!.subnet;
    expect(mine.project_id).toBe('alice');
    await refused(() => bob.get(`/v2.0/subnets/${mine.id}`), 404, /Subnet .* could not be found/);
    await refused(() => bob.put(`/v2.0/subnets/${mine.id}`, { subnet: { name: 'x' } }), 404, /could not be found/);
    await refused(() => bob.del(`/v2.0/subnets/${mine.id}`), 404, /could not be found/);
    await refused(() => subnet(private_.id, { cidr: '10.50.0.0/24' }, bob), 404, /Network .* could not be found/);
    expect((await bob.get('/v2.0/subnets')).body!.subnets.map((s: { id: string }) => s.id)).not.toContain(mine.id);

    // An external network is seen by every project; its subnets only by its owner (Tempest's test_external_network_visibility).
    const external = await network(cp.api, { 'router:external': true });
    const externalSubnet = (await subnet(external.id, { cidr: '172.18.0.0/24' })).body!.subnet;
    expect((await bob.get(`/v2.0/networks/${external.id}`)).status).toBe(200);
    expect((await bob.get(`/v2.0/subnets/${externalSubnet.id}`)).status).toBe(404);
    expect((await bob.get(`/v2.0/subnets?network_id=${external.id}`)).body!.subnets).toEqual([]);

    const shared = await network(cp.api, { shared: true });
    const pub = (await subnet(shared.id, { cidr: '172.16.0.0/24' })).body!.subnet;
    // `shared` filters subnets by their network's sharing (no attribute of the subnet itself).
    const ids = async (api: typeof bob, q: string) => (await api.get(`/v2.0/subnets?${q}`)).body!.subnets.map((s: { id: string }) => s.id);
    expect(await ids(alice, 'shared=True')).toEqual(expect.arrayContaining([pub.id]));
    expect(await ids(alice, 'shared=True')).not.toContain(mine.id);
    expect(await ids(alice, 'shared=false')).toContain(mine.id);
    expect(await ids(alice, 'shared=false')).not.toContain(pub.id);
    expect((await bob.get(`/v2.0/subnets/${pub.id}`)).status).toBe(200);
    await refused(() => bob.put(`/v2.0/subnets/${pub.id}`, { subnet: { name: 'x' } }), 403, /update_subnet/);
    await refused(() => subnet(shared.id, { cidr: '172.17.0.0/24' }, bob), 403, /create_subnet/);
    await refused(() => subnet(private_.id, { cidr: '10.51.0.0/24', project_id: 'bob' }, alice), 400, /requires admin privileges/);
  });
});
