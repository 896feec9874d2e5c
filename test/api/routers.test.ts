import { startInProcess, type Json } from '../support/control-plane';

type Plane = Awaited<ReturnType<typeof startInProcess>>;
let cp: Plane;
let alice: Plane['api'];
let publicNet: Json;
let publicSubnet: Json;

const ok = <T extends { status: number; body: Json | null }>(res: T, status: number): Json => {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body!;
};

/** A network with one subnet, owned by whoever `api` acts for. */
async function networkWithSubnet(api: Plane['api'], cidr: string, subnet: Json = {}) {
  const net = ok(await api.post('/v2.0/networks', { network: { name: `net-${cidr}` } }), 201).network;
  const sub = ok(await api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr, ip_version: 4, ...subnet } }), 201).subnet;
  return { net, sub };
}

const portsOf = async (deviceId: string): Promise<Json[]> =>
  ok(await cp.api.get('/v2.0/ports'), 200).ports.filter((p: Json) => p.device_id === deviceId);

/** Runs a request that must be refused, and checks the event store did not move. */
async function refused(call: Promise<{ status: number; body: Json | null }>, status: number, message?: RegExp) {
  const before = await cp.head();
  const res = await call;
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { NeutronError: expect.anything() } });
  if (message) expect(res.body!.NeutronError.message).toMatch(message);
  expect(await cp.head()).toBe(before);
  return res.body!.NeutronError as Json;
}

beforeAll(async () => {
  cp = await startInProcess();
  alice = cp.api.as('alice');
  publicNet = ok(await cp.api.post('/v2.0/networks', { network: { name: 'public', 'router:external': true } }), 201).network;
  publicSubnet = ok(
    await cp.api.post('/v2.0/subnets', { subnet: { network_id: publicNet.id, cidr: '203.0.113.0/24', ip_version: 4 } }),
    201,
  ).subnet;
});
afterAll(async () => cp.close());

describe('routers over HTTP', () => {
  it('creates, shows, lists, updates and deletes a router without a gateway', async () => {
    const router = ok(await alice.post('/v2.0/routers', { router: { name: 'r1' } }), 201).router;
    expect(router).toMatchObject({
      name: 'r1',
      project_id: 'alice',
      tenant_id: 'alice',
      admin_state_up: true,
      status: 'ACTIVE',
      external_gateway_info: null,
      routes: [],
      availability_zones: [],
      availability_zone_hints: [],
      flavor_id: null,
      description: '',
      tags: [],
      revision_number: 1,
    });
    // ha and distributed are for admins' eyes only, as Neutron's policy has it.
    expect(router).not.toHaveProperty('ha');
    expect(ok(await cp.api.get(`/v2.0/routers/${router.id}`), 200).router).toMatchObject({ ha: false, distributed: false });
    expect(ok(await alice.get('/v2.0/routers?name=r1&fields=id'), 200)).toEqual({ routers: [{ id: router.id }] });
    const updated = ok(await alice.put(`/v2.0/routers/${router.id}`, { router: { name: 'r1b', routes: [] } }), 200).router;
    // Tempest clears extra routes with `routes: null` (Neutron reads it as []).
    expect(ok(await alice.put(`/v2.0/routers/${router.id}`, { router: { routes: null } }), 200).router.routes).toEqual([]);
    expect(updated).toMatchObject({ name: 'r1b', revision_number: 2 });
    expect((await alice.del(`/v2.0/routers/${router.id}`)).status).toBe(204);
    expect((await alice.get(`/v2.0/routers/${router.id}`)).status).toBe(404);
  });

  it('creates a router with a gateway port on the external network, and clears it', async () => {
    const router = ok(
      await alice.post('/v2.0/routers', { router: { name: 'gw', external_gateway_info: { network_id: publicNet.id } } }),
      201,
    ).router;
    const gw = router.external_gateway_info;
    expect(gw).toMatchObject({ network_id: publicNet.id, enable_snat: true, external_fixed_ips: [{ subnet_id: publicSubnet.id }] });
    const [port] = await portsOf(router.id);
    expect(port).toMatchObject({ device_owner: 'network:router_gateway', network_id: publicNet.id, project_id: '' });
    expect(port.fixed_ips).toEqual([{ subnet_id: publicSubnet.id, ip_address: gw.external_fixed_ips[0].ip_address }]);
    // A tenant picking SNAT or the external address is refused, as by Neutron's policy.
    await refused(
      alice.put(`/v2.0/routers/${router.id}`, { router: { external_gateway_info: { network_id: publicNet.id, enable_snat: false } } }),
      403,
    );

    const cleared = ok(await alice.put(`/v2.0/routers/${router.id}`, { router: { external_gateway_info: null } }), 200).router;
    expect(cleared.external_gateway_info).toBeNull();
    expect(await portsOf(router.id)).toEqual([]);
    ok(
      await cp.api.put(`/v2.0/routers/${router.id}`, {
        router: { external_gateway_info: { network_id: publicNet.id, external_fixed_ips: [{ ip_address: '203.0.113.77' }] } },
      }),
      200,
    );
    expect((await portsOf(router.id))[0].fixed_ips).toEqual([{ subnet_id: publicSubnet.id, ip_address: '203.0.113.77' }]);
    // Another external network replaces the gateway port.
    const other = ok(await cp.api.post('/v2.0/networks', { network: { name: 'public2', 'router:external': true } }), 201).network;
    const otherSub = ok(
      await cp.api.post('/v2.0/subnets', { subnet: { network_id: other.id, cidr: '198.51.100.0/24', ip_version: 4 } }),
      201,
    ).subnet;
    const moved = ok(
      await alice.put(`/v2.0/routers/${router.id}`, { router: { external_gateway_info: { network_id: other.id } } }),
      200,
    ).router;
    expect(moved.external_gateway_info.external_fixed_ips).toEqual([{ subnet_id: otherSub.id, ip_address: expect.any(String) }]);
    expect((await portsOf(router.id)).map((p) => p.network_id)).toEqual([other.id]);
    // Deleting the router takes its gateway port with it.
    expect((await alice.del(`/v2.0/routers/${router.id}`)).status).toBe(204);
    expect(await portsOf(router.id)).toEqual([]);
  });

  it('refuses a gateway on a network that is not external', async () => {
    const { net } = await networkWithSubnet(alice, '10.9.0.0/24');
    await refused(
      alice.post('/v2.0/routers', { router: { external_gateway_info: { network_id: net.id } } }),
      400,
      /is not an external network/,
    );
  });

  it('adds an interface by subnet on the gateway IP, refuses a second one, and removes it', async () => {
    const { net, sub } = await networkWithSubnet(alice, '10.0.1.0/24');
    const router = ok(await alice.post('/v2.0/routers', { router: { name: 'edge' } }), 201).router;
    const path = `/v2.0/routers/${router.id}`;
    const added = ok(await alice.put(`${path}/add_router_interface`, { subnet_id: sub.id }), 200);
    expect(added).toMatchObject({
      id: router.id,
      tenant_id: 'alice',
      project_id: 'alice',
      subnet_id: sub.id,
      subnet_ids: [sub.id],
      network_id: net.id,
    });
    const port = ok(await alice.get(`/v2.0/ports/${added.port_id}`), 200).port;
    expect(port).toMatchObject({
      device_owner: 'network:router_interface',
      device_id: router.id,
      fixed_ips: [{ subnet_id: sub.id, ip_address: '10.0.1.1' }],
      security_groups: [],
      port_security_enabled: false,
    });

    await refused(alice.put(`${path}/add_router_interface`, { subnet_id: sub.id }), 400, /Router already has a port on subnet/);
    await refused(alice.put(`${path}/add_router_interface`, {}), 400, /Either subnet_id or port_id must be specified/);
    await refused(alice.put(`${path}/add_router_interface`, { port_id: 'tempest-port-1' }), 400, /'tempest-port-1' is not a valid UUID/);
    // The interface port is a port on the subnet and network: the in-use rules keep them.
    await refused(alice.del(`/v2.0/subnets/${sub.id}`), 409);
    await refused(alice.del(`/v2.0/networks/${net.id}`), 409);
    await refused(alice.del(path), 409, /has ports still attached/);

    const removed = ok(await alice.put(`${path}/remove_router_interface`, { subnet_id: sub.id }), 200);
    expect(removed).toEqual({ ...added });
    expect((await alice.get(`/v2.0/ports/${added.port_id}`)).status).toBe(404);
    await refused(alice.put(`${path}/remove_router_interface`, { subnet_id: sub.id }), 404, /has no interface on subnet/);
    expect((await alice.del(path)).status).toBe(204);
  });

  it('refuses a subnet whose gateway IP another port holds', async () => {
    const { net, sub } = await networkWithSubnet(alice, '10.0.7.0/24');
    ok(await alice.post('/v2.0/ports', { port: { network_id: net.id, fixed_ips: [{ subnet_id: sub.id, ip_address: '10.0.7.1' }] } }), 201);
    const router = ok(await alice.post('/v2.0/routers', { router: {} }), 201).router;
    await refused(alice.put(`/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }), 409, /10\.0\.7\.1/);
  });

  it('refuses a subnet without a gateway IP', async () => {
    const { sub } = await networkWithSubnet(alice, '10.0.2.0/24', { gateway_ip: null });
    const router = ok(await alice.post('/v2.0/routers', { router: {} }), 201).router;
    await refused(alice.put(`/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }), 400, /must have a gateway IP/);
  });

  it('adds and removes an interface by port', async () => {
    const { net, sub } = await networkWithSubnet(alice, '10.0.3.0/24');
    const mine = ok(await alice.post('/v2.0/ports', { port: { network_id: net.id } }), 201).port;
    const router = ok(await alice.post('/v2.0/routers', { router: {} }), 201).router;
    const path = `/v2.0/routers/${router.id}`;
    const added = ok(await alice.put(`${path}/add_router_interface`, { port_id: mine.id }), 200);
    expect(added).toMatchObject({ port_id: mine.id, subnet_ids: [sub.id], network_id: net.id });
    expect(ok(await alice.get(`/v2.0/ports/${mine.id}`), 200).port).toMatchObject({
      device_id: router.id,
      device_owner: 'network:router_interface',
    });
    await refused(alice.put(`${path}/add_router_interface`, { port_id: mine.id }), 409, /already has an attached device/);
    ok(await alice.put(`${path}/remove_router_interface`, { port_id: mine.id }), 200);
    expect((await alice.get(`/v2.0/ports/${mine.id}`)).status).toBe(404);
  });

  it('lets only an admin set ha; HA interfaces are replicated interfaces', async () => {
    await refused(alice.post('/v2.0/routers', { router: { ha: true } }), 403, /ha/);
    await refused(alice.post('/v2.0/routers', { router: { distributed: false } }), 403, /distributed/);
    const router = ok(await cp.api.post('/v2.0/routers', { router: { name: 'ha', ha: true, project_id: 'alice' } }), 201).router;
    expect(router).toMatchObject({ ha: true, distributed: false, project_id: 'alice' });
    await refused(alice.put(`/v2.0/routers/${router.id}`, { router: { ha: false } }), 403);
    const { sub } = await networkWithSubnet(alice, '10.0.4.0/24');
    const added = ok(await alice.put(`/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }), 200);
    expect(ok(await alice.get(`/v2.0/ports/${added.port_id}`), 200).port.device_owner).toBe('network:ha_router_replicated_interface');
  });

  it("hides one project's routers from another", async () => {
    const router = ok(await alice.post('/v2.0/routers', { router: { name: 'private' } }), 201).router;
    const bob = cp.api.as('bob');
    const { sub } = await networkWithSubnet(bob, '10.0.5.0/24');
    expect(ok(await bob.get('/v2.0/routers'), 200).routers.map((r: Json) => r.id)).not.toContain(router.id);
    await refused(bob.get(`/v2.0/routers/${router.id}`), 404, /could not be found/);
    await refused(bob.put(`/v2.0/routers/${router.id}`, { router: { name: 'x' } }), 404);
    await refused(bob.del(`/v2.0/routers/${router.id}`), 404);
    await refused(bob.put(`/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }), 404);
    // ...nor may a project route another's subnet.
    const bobs = ok(await bob.post('/v2.0/routers', { router: {} }), 201).router;
    const { sub: aliceSub } = await networkWithSubnet(alice, '10.0.6.0/24');
    await refused(
      bob.put(`/v2.0/routers/${bobs.id}/add_router_interface`, { subnet_id: aliceSub.id }),
      404,
      /Subnet .* could not be found/,
    );
  });
});
