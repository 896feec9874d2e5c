import { L3Runtime } from '../../apps/l3-scheduler/src/runtime';
import { expectRefused, expectStatus, startInProcess, type Json } from '../support/control-plane';

type Plane = Awaited<ReturnType<typeof startInProcess>>;
let cp: Plane;
let alice: Plane['api'];
let bob: Plane['api'];
let publicNet: Json;
let router: Json;
let vmPort: Json;
let lonelyPort: Json;

const ok = expectStatus;
const refused = (call: Promise<{ status: number; body: Json | null }>, status: number, type: string) =>
  expectRefused(() => cp.head(), call, status, type);

/** alice: a network behind a router with a gateway on `public`, a VM port there, and a port on a network no router reaches. */
beforeAll(async () => {
  cp = await startInProcess();
  // An L3 agent to run alice's router, whose document then carries the floating IPs.
  ok(await cp.api.put(`/v1/agents/${encodeURIComponent('L3 agent')}/net1`, { configurations: { agent_mode: 'legacy' } }), 200);
  alice = cp.api.as('alice');
  bob = cp.api.as('bob');
  publicNet = ok(await cp.api.post('/v2.0/networks', { network: { name: 'public', 'router:external': true } }), 201).network;
  ok(await cp.api.post('/v2.0/subnets', { subnet: { network_id: publicNet.id, cidr: '203.0.113.0/24', ip_version: 4 } }), 201);
  const net = ok(await alice.post('/v2.0/networks', { network: { name: 'private' } }), 201).network;
  const sub = ok(await alice.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.0.0.0/24', ip_version: 4 } }), 201).subnet;
  router = ok(
    await alice.post('/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: publicNet.id } } }),
    201,
  ).router;
  ok(await alice.put(`/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }), 200);
  vmPort = ok(await alice.post('/v2.0/ports', { port: { network_id: net.id, name: 'vm' } }), 201).port;
  const island = ok(await alice.post('/v2.0/networks', { network: { name: 'island' } }), 201).network;
  ok(await alice.post('/v2.0/subnets', { subnet: { network_id: island.id, cidr: '10.9.0.0/24', ip_version: 4 } }), 201);
  lonelyPort = ok(await alice.post('/v2.0/ports', { port: { network_id: island.id } }), 201).port;
});
afterAll(() => cp?.close());

describe('floating IPs', () => {
  it('takes an address on the external network with a port of its own, maps it to a port behind the router, and lets it go', async () => {
    const fip = ok(await alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id } }), 201).floatingip;
    expect(fip).toMatchObject({
      project_id: 'alice',
      floating_network_id: publicNet.id,
      floating_ip_address: expect.stringMatching(/^203\.0\.113\./),
      port_id: null,
      fixed_ip_address: null,
      router_id: null,
      status: 'DOWN',
      port_details: null,
      revision_number: 1,
    });
    const held = ok(await cp.api.get(`/v2.0/ports?device_id=${fip.id}`), 200).ports;
    expect(held).toEqual([expect.objectContaining({ device_owner: 'network:floatingip', network_id: publicNet.id, project_id: '' })]);
    expect(held[0].fixed_ips[0].ip_address).toBe(fip.floating_ip_address);

    const mapped = ok(await alice.put(`/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: vmPort.id } }), 200).floatingip;
    expect(mapped).toMatchObject({
      port_id: vmPort.id,
      fixed_ip_address: vmPort.fixed_ips[0].ip_address,
      router_id: router.id,
      status: 'ACTIVE',
      port_details: { network_id: vmPort.network_id, mac_address: vmPort.mac_address, device_owner: '' },
    });
    expect(ok(await alice.get(`/v2.0/floatingips?port_id=${vmPort.id}`), 200).floatingips.map((f: Json) => f.id)).toEqual([fip.id]);
    // The host running the router gets the NAT to program.
    const nat = async () => {
      await cp.running.app.get(L3Runtime).settle();
      return ok(await cp.api.get('/v1/hosts/net1/l3'), 200).routers[router.id].floating_ips as Json[];
    };
    expect(await nat()).toEqual([
      { id: fip.id, floating_ip_address: fip.floating_ip_address, fixed_ip_address: vmPort.fixed_ips[0].ip_address, port_id: vmPort.id },
    ]);

    // A fixed IP maps to one floating IP per external network.
    const second = ok(await alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id } }), 201).floatingip;
    await refused(
      alice.put(`/v2.0/floatingips/${second.id}`, { floatingip: { port_id: vmPort.id } }),
      409,
      'FloatingIPPortAlreadyAssociated',
    );

    // The router cannot lose what the floating IP needs.
    const subnetId = vmPort.fixed_ips[0].subnet_id as string;
    await refused(
      alice.put(`/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnetId }),
      409,
      'RouterInterfaceInUseByFloatingIP',
    );
    await refused(
      alice.put(`/v2.0/routers/${router.id}`, { router: { external_gateway_info: {} } }),
      409,
      'RouterExternalGatewayInUseByFloatingIp',
    );
    // Nor is the floating IP's port deleted behind its back.
    await refused(cp.api.del(`/v2.0/ports/${held[0].id}`), 409, 'ServicePortInUse');

    // A description change keeps the mapping; an empty update clears it (Neutron's first API did only that).
    expect(ok(await alice.put(`/v2.0/floatingips/${fip.id}`, { floatingip: { description: 'web' } }), 200).floatingip).toMatchObject({
      description: 'web',
      port_id: vmPort.id,
    });
    const unmapped = ok(await alice.put(`/v2.0/floatingips/${fip.id}`, { floatingip: {} }), 200).floatingip;
    expect(unmapped).toMatchObject({ port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN' });
    expect(await nat()).toEqual([]);
    expect((await alice.del(`/v2.0/floatingips/${fip.id}`)).status).toBe(204);
    expect((await alice.del(`/v2.0/floatingips/${second.id}`)).status).toBe(204);
    expect(ok(await cp.api.get(`/v2.0/ports?device_id=${fip.id}`), 200).ports).toEqual([]);
    await refused(alice.get(`/v2.0/floatingips/${fip.id}`), 404, 'FloatingIPNotFound');
  });

  it('is disassociated when the port behind it is deleted, in the same command', async () => {
    const net = vmPort.network_id as string;
    const doomed = ok(await alice.post('/v2.0/ports', { port: { network_id: net } }), 201).port;
    const fip = ok(
      await alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, port_id: doomed.id } }),
      201,
    ).floatingip;
    expect(fip).toMatchObject({ port_id: doomed.id, router_id: router.id });
    expect((await alice.del(`/v2.0/ports/${doomed.id}`)).status).toBe(204);
    expect(ok(await alice.get(`/v2.0/floatingips/${fip.id}`), 200).floatingip).toMatchObject({ port_id: null, status: 'DOWN' });
    const events = ok(await cp.api.get(`/v1/events?type=FloatingIpDisassociated`), 200).events as Json[];
    expect(events.at(-1)!.data).toMatchObject({ id: fip.id, portId: doomed.id, reason: 'port_deleted' });
    ok(await alice.del(`/v2.0/floatingips/${fip.id}`), 204);
  });

  it('refuses what Neutron refuses, allocating nothing', async () => {
    const privateNet = vmPort.network_id as string;
    await refused(alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: privateNet } }), 400, 'BadRequest');
    await refused(
      alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: '00000000-0000-4000-8000-000000000000' } }),
      404,
      'NetworkNotFound',
    );
    await refused(
      alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, port_id: lonelyPort.id } }),
      404,
      'ExternalGatewayForFloatingIPNotFound',
    );
    // Another project's port cannot take alice's floating IP (Neutron says so rather than hiding the port);
    // choosing the address is an admin's right.
    const bobNet = ok(await bob.post('/v2.0/networks', { network: { name: 'b' } }), 201).network;
    ok(await bob.post('/v2.0/subnets', { subnet: { network_id: bobNet.id, cidr: '10.5.0.0/24', ip_version: 4 } }), 201);
    const bobPort = ok(await bob.post('/v2.0/ports', { port: { network_id: bobNet.id } }), 201).port;
    await refused(
      alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, port_id: bobPort.id } }),
      400,
      'BadRequest',
    );
    await refused(
      alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, floating_ip_address: '203.0.113.50' } }),
      403,
      'PolicyNotAuthorized',
    );
    await refused(
      alice.post('/v2.0/floatingips', {
        floatingip: { floating_network_id: publicNet.id, port_id: vmPort.id, fixed_ip_address: '10.0.0.254' },
      }),
      400,
      'BadRequest',
    );
    await refused(alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, bogus: 1 } }), 400, 'HTTPBadRequest');
  });

  it('gives an admin the address asked for, once; the quota counts floating IPs', async () => {
    const mine = ok(
      await cp.api.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, floating_ip_address: '203.0.113.50' } }),
      201,
    ).floatingip;
    expect(mine.floating_ip_address).toBe('203.0.113.50');
    await refused(
      cp.api.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id, floating_ip_address: '203.0.113.50' } }),
      409,
      'IpAddressAlreadyAllocated',
    );
    ok(await cp.api.put('/v2.0/quotas/bob', { quota: { floatingip: 1 } }), 200);
    const one = ok(await bob.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id } }), 201).floatingip;
    await refused(bob.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id } }), 409, 'OverQuota');
    expect(ok(await cp.api.get('/v2.0/quotas/bob/details'), 200).quota.floatingip).toMatchObject({ used: 1, limit: 1 });
    // Others do not see it; its owner does.
    expect(ok(await alice.get('/v2.0/floatingips'), 200).floatingips.map((f: Json) => f.id)).not.toContain(one.id);
    await refused(alice.get(`/v2.0/floatingips/${one.id}`), 404, 'FloatingIPNotFound');
  });

  it('goes with its external network: deleting the network deletes its floating IPs and their ports', async () => {
    const ext = ok(await cp.api.post('/v2.0/networks', { network: { name: 'doomed', 'router:external': true } }), 201).network;
    ok(await cp.api.post('/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '198.51.100.0/24', ip_version: 4 } }), 201);
    const fip = ok(await alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: ext.id } }), 201).floatingip;
    // An ordinary port still keeps a network in use.
    const port = ok(await cp.api.post('/v2.0/ports', { port: { network_id: ext.id } }), 201).port;
    await refused(cp.api.del(`/v2.0/networks/${ext.id}`), 409, 'NetworkInUse');
    ok(await cp.api.del(`/v2.0/ports/${port.id}`), 204);
    expect((await cp.api.del(`/v2.0/networks/${ext.id}`)).status).toBe(204);
    await refused(alice.get(`/v2.0/floatingips/${fip.id}`), 404, 'FloatingIPNotFound');
    expect(ok(await cp.api.get(`/v2.0/ports?network_id=${ext.id}`), 200).ports).toEqual([]);
  });

  it('carries tags like other resources', async () => {
    const fip = ok(await alice.post('/v2.0/floatingips', { floatingip: { floating_network_id: publicNet.id } }), 201).floatingip;
    ok(await alice.put(`/v2.0/floatingips/${fip.id}/tags`, { tags: ['red', 'blue'] }), 200);
    expect(ok(await alice.get(`/v2.0/floatingips?tags=red`), 200).floatingips.map((f: Json) => f.id)).toEqual([fip.id]);
    expect(ok(await alice.get(`/v2.0/floatingips/${fip.id}`), 200).floatingip).toMatchObject({ tags: ['blue', 'red'], revision_number: 2 });
    ok(await alice.del(`/v2.0/floatingips/${fip.id}`), 204);
  });
});
