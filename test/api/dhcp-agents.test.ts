import { eventually, expectRefused, expectStatus, startInProcess, type Json } from '../support/control-plane';

type Plane = Awaited<ReturnType<typeof startInProcess>>;
let cp: Plane;
const DHCP = `/v1/agents/${encodeURIComponent('DHCP agent')}`;
const beating = new Set<string>();
let heartbeats: NodeJS.Timeout;
const agentIds = new Map<string, string>();

const ok = expectStatus;
const refused = (call: Promise<{ status: number; body: Json | null }>, status: number, type: string) =>
  expectRefused(() => cp.head(), call, status, type);

const beat = async () => {
  for (const host of beating) {
    const body = ok(await cp.api.put(`${DHCP}/${host}`, {}), 200);
    agentIds.set(host, body.agent.id as string);
  }
};
const dhcpPorts = async (networkId: string): Promise<Json[]> =>
  ok(await cp.api.get(`/v2.0/ports?network_id=${networkId}&device_owner=network:dhcp`), 200).ports;
const servedBy = async (networkId: string) =>
  (ok(await cp.api.get(`/v2.0/networks/${networkId}/dhcp-agents`), 200).agents as Json[]).map((a) => a.host);

async function network(name: string, cidr?: string, subnet: Json = {}) {
  const net = ok(await cp.api.post('/v2.0/networks', { network: { name } }), 201).network;
  const sub = cidr
    ? ok(await cp.api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr, ip_version: 4, ...subnet } }), 201).subnet
    : null;
  return { net, sub };
}

/** DHCP agents with a 2 s agent_down_time, heartbeating every 250 ms while they are in `beating`. */
beforeAll(async () => {
  cp = await startInProcess({ CP_AGENT_DOWN_TIME: '2' });
  heartbeats = setInterval(() => void beat().catch(() => undefined), 250);
});
afterAll(async () => {
  clearInterval(heartbeats);
  await cp?.close();
});

describe('DHCP agent scheduling', () => {
  let a: { net: Json; sub: Json | null };

  it('serves a network with a DHCP subnet from a DHCP agent once one registers, with a DHCP port on its host', async () => {
    a = await network('a', '10.1.0.0/24');
    expect(await dhcpPorts(a.net.id)).toEqual([]); // no DHCP agent yet
    beating.add('dhcp-1');
    await beat();
    expect(await servedBy(a.net.id)).toEqual(['dhcp-1']);
    const [port] = await dhcpPorts(a.net.id);
    expect(port).toMatchObject({
      device_owner: 'network:dhcp',
      device_id: expect.stringMatching(new RegExp(`^dhcp[0-9a-f-]{36}-${a.net.id}$`)),
      'binding:host_id': 'dhcp-1',
      fixed_ips: [{ subnet_id: a.sub!.id, ip_address: expect.stringMatching(/^10\.1\.0\./) }],
    });
    expect((ok(await cp.api.get(`/v2.0/agents/${agentIds.get('dhcp-1')}/dhcp-networks`), 200).networks as Json[]).map((n) => n.id)).toEqual(
      [a.net.id],
    );
    // A network without a DHCP subnet gets none.
    const quiet = await network('quiet', '10.9.0.0/24', { enable_dhcp: false });
    expect(await dhcpPorts(quiet.net.id)).toEqual([]);
  });

  it('places a new network on the least loaded agent, and keeps the DHCP port on every DHCP subnet', async () => {
    beating.add('dhcp-2');
    await beat();
    const b = await network('b', '10.2.0.0/24');
    expect(await servedBy(b.net.id)).toEqual(['dhcp-2']);
    const second = ok(
      await cp.api.post('/v2.0/subnets', { subnet: { network_id: b.net.id, cidr: '10.3.0.0/24', ip_version: 4 } }),
      201,
    ).subnet;
    expect(((await dhcpPorts(b.net.id))[0].fixed_ips as Json[]).map((f) => f.subnet_id).sort()).toEqual([b.sub!.id, second.id].sort());
    ok(await cp.api.put(`/v2.0/subnets/${second.id}`, { subnet: { enable_dhcp: false } }), 200);
    expect(((await dhcpPorts(b.net.id))[0].fixed_ips as Json[]).map((f) => f.subnet_id)).toEqual([b.sub!.id]);
    // No DHCP subnet left: no DHCP port, though the network stays on its agent (as in Neutron); it comes back with DHCP.
    ok(await cp.api.put(`/v2.0/subnets/${b.sub!.id}`, { subnet: { enable_dhcp: false } }), 200);
    expect(await dhcpPorts(b.net.id)).toEqual([]);
    expect(await servedBy(b.net.id)).toEqual(['dhcp-2']);
    ok(await cp.api.put(`/v2.0/subnets/${b.sub!.id}`, { subnet: { enable_dhcp: true } }), 200);
    expect((await dhcpPorts(b.net.id)).map((p) => p['binding:host_id'])).toEqual(['dhcp-2']);
    // The DHCP port does not hold a DHCP subnet's deletion: its address goes, and with the last DHCP subnet the port.
    expect((await cp.api.del(`/v2.0/subnets/${b.sub!.id}`)).status).toBe(204);
    expect(await dhcpPorts(b.net.id)).toEqual([]);
    ok(await cp.api.put(`/v2.0/subnets/${second.id}`, { subnet: { enable_dhcp: true } }), 200);
    expect((await dhcpPorts(b.net.id)).map((p) => p['binding:host_id'])).toEqual(['dhcp-2']);
    expect((await cp.api.del(`/v2.0/networks/${b.net.id}`)).status).toBe(204); // its DHCP port goes with it
  });

  it('keeps the DHCP port’s SLAAC address (derived, never named) when another subnet comes', async () => {
    const v6 = await network('v6', undefined);
    const slaac = ok(
      await cp.api.post('/v2.0/subnets', {
        subnet: { network_id: v6.net.id, cidr: '2001:db8:1::/64', ip_version: 6, ipv6_address_mode: 'slaac', ipv6_ra_mode: 'slaac' },
      }),
      201,
    ).subnet;
    const [before] = await dhcpPorts(v6.net.id);
    const eui64 = (before.fixed_ips as Json[])[0].ip_address as string;
    const v4 = ok(
      await cp.api.post('/v2.0/subnets', { subnet: { network_id: v6.net.id, cidr: '10.6.0.0/24', ip_version: 4 } }),
      201,
    ).subnet;
    const [after] = await dhcpPorts(v6.net.id);
    expect(after.fixed_ips).toEqual(expect.arrayContaining([{ subnet_id: slaac.id, ip_address: eui64 }]));
    expect(after.fixed_ips).toHaveLength(2);
    // Deleting the IPv4 subnet releases the DHCP port's address there and keeps its SLAAC one.
    expect((await cp.api.del(`/v2.0/subnets/${v4.id}`)).status).toBe(204);
    expect((await dhcpPorts(v6.net.id))[0].fixed_ips).toEqual([{ subnet_id: slaac.id, ip_address: eui64 }]);
  });

  it('lets an admin move a network between DHCP agents; bad requests change nothing', async () => {
    const [from] = await servedBy(a.net.id);
    const to = from === 'dhcp-1' ? 'dhcp-2' : 'dhcp-1';
    expect((await cp.api.del(`/v2.0/agents/${agentIds.get(from)}/dhcp-networks/${a.net.id}`)).status).toBe(204);
    expect(await servedBy(a.net.id)).toEqual([]);
    expect(await dhcpPorts(a.net.id)).toEqual([]);
    await refused(cp.api.del(`/v2.0/agents/${agentIds.get(from)}/dhcp-networks/${a.net.id}`), 409, 'NetworkNotHostedByDhcpAgent');
    const added = await cp.api.post(`/v2.0/agents/${agentIds.get(to)}/dhcp-networks`, { network_id: a.net.id });
    expect([added.status, added.body]).toEqual([201, null]);
    expect(await servedBy(a.net.id)).toEqual([to]);
    expect((await dhcpPorts(a.net.id))[0]['binding:host_id']).toBe(to);
    await refused(cp.api.post(`/v2.0/agents/${agentIds.get(to)}/dhcp-networks`, { network_id: a.net.id }), 409, 'NetworkHostedByDHCPAgent');
    const l3 = ok(await cp.api.put(`/v1/agents/${encodeURIComponent('L3 agent')}/net-1`, {}), 200).agent;
    await refused(cp.api.post(`/v2.0/agents/${l3.id}/dhcp-networks`, { network_id: a.net.id }), 400, 'InvalidDHCPAgent');
    await refused(
      cp.api.as('p1').post(`/v2.0/agents/${agentIds.get(from)}/dhcp-networks`, { network_id: a.net.id }),
      403,
      'PolicyNotAuthorized',
    );
    await refused(cp.api.post(`/v2.0/agents/${agentIds.get(from)}/dhcp-networks`, {}), 400, 'BadRequest');
    // A network without subnets can be bound too (as Neutron binds it); its DHCP port comes with a DHCP subnet.
    const bare = await network('bare');
    expect((await cp.api.post(`/v2.0/agents/${agentIds.get(from)}/dhcp-networks`, { network_id: bare.net.id })).status).toBe(201);
    expect(await servedBy(bare.net.id)).toEqual([from]);
    expect(await dhcpPorts(bare.net.id)).toEqual([]);
    ok(await cp.api.post('/v2.0/subnets', { subnet: { network_id: bare.net.id, cidr: '10.8.0.0/24', ip_version: 4 } }), 201);
    expect((await dhcpPorts(bare.net.id)).map((p) => p['binding:host_id'])).toEqual([from]);
  });

  it('moves a dead agent’s networks to an alive one, with a new DHCP port there', async () => {
    const [host] = await servedBy(a.net.id);
    const other = host === 'dhcp-1' ? 'dhcp-2' : 'dhcp-1';
    beating.delete(host);
    await eventually(async () => (await servedBy(a.net.id)).join() === other);
    const ports = await dhcpPorts(a.net.id);
    expect(ports.map((p) => p['binding:host_id'])).toEqual([other]);
    const events = ok(await cp.api.get('/v1/events?type=NetworkUnscheduledFromDhcpAgent'), 200).events as Json[];
    expect(events.map((e) => e.data)).toContainEqual(expect.objectContaining({ networkId: a.net.id, host, reason: 'agent_dead' }));
  });
});
