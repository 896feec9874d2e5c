import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DhcpRuntime, ReferenceDhcpAgent, rebuildDhcp, verifyDhcp, type DhcpNetworkDoc } from '../../apps/dhcp-projector/src';
import { eventually, expectRefused, expectStatus as ok, removeDir, startInProcess, type Json } from '../support/control-plane';

/*
 * The DHCP read model through HTTP in embedded mode: what a DHCP agent reads at
 * /v1/hosts/{host}/dhcp as networks, subnets and ports change and networks move
 * between agents; the reference agent's dnsmasq files; rebuild and verify.
 */
type Plane = Awaited<ReturnType<typeof startInProcess>>;
let cp: Plane;
let runtime: DhcpRuntime;
const DHCP = `/v1/agents/${encodeURIComponent('DHCP agent')}`;
const agentIds = new Map<string, string>();

async function register(host: string): Promise<string> {
  const id = ok(await cp.api.put(`${DHCP}/${host}`, {}), 200).agent.id as string;
  agentIds.set(host, id);
  return id;
}
const doc = async (host: string, since?: string): Promise<Json> =>
  ok(await cp.api.get(`/v1/hosts/${host}/dhcp${since ? `?since=${encodeURIComponent(since)}` : ''}`), 200);
/** The host's document once the projector has caught up with everything committed. */
async function settled(host: string, since?: string): Promise<Json> {
  await eventually(async () => (runtime.projector?.checkpoint ?? 0) >= (await cp.head()));
  return doc(host, since);
}

beforeAll(async () => {
  cp = await startInProcess();
  runtime = cp.running.app.get(DhcpRuntime, { strict: false });
});
afterAll(() => cp?.close());

describe('DHCP read model (/v1/hosts/{host}/dhcp)', () => {
  let net: Json;
  let subnet: Json;
  let vm: Json;
  let revision: string;

  it('gives the DHCP agent its networks: subnets with options, every fixed IP as a host entry, its own DHCP port', async () => {
    await register('dhcp-1');
    expect(await settled('dhcp-1')).toMatchObject({ host: 'dhcp-1', networks: {} });
    net = ok(await cp.api.post('/v2.0/networks', { network: { name: 'web' } }), 201).network;
    subnet = ok(
      await cp.api.post('/v2.0/subnets', {
        subnet: {
          network_id: net.id,
          cidr: '10.1.0.0/24',
          ip_version: 4,
          dns_nameservers: ['198.18.0.53'],
          host_routes: [{ destination: '198.18.10.0/24', nexthop: '10.1.0.254' }],
        },
      }),
      201,
    ).subnet;
    // A second subnet without DHCP: not served, and its addresses are no host entries.
    const quiet = ok(
      await cp.api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.2.0.0/24', ip_version: 4, enable_dhcp: false } }),
      201,
    ).subnet;
    vm = ok(
      await cp.api.post('/v2.0/ports', {
        port: { network_id: net.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.1.0.7' }, { subnet_id: quiet.id }] },
      }),
      201,
    ).port;
    const dhcpPort = ok(await cp.api.get(`/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`), 200).ports[0];

    const d = await settled('dhcp-1');
    revision = d.revision;
    const n = d.networks[net.id] as DhcpNetworkDoc;
    expect(n).toEqual({
      agent_id: agentIds.get('dhcp-1'),
      mtu: net.mtu,
      admin_state_up: true,
      lease_duration: 86400,
      dns_domain: 'openstacklocal',
      port: { id: dhcpPort.id, mac_address: dhcpPort.mac_address, fixed_ips: dhcpPort.fixed_ips },
      subnets: [
        {
          id: subnet.id,
          ip_version: 4,
          cidr: '10.1.0.0/24',
          gateway_ip: '10.1.0.1',
          dns_nameservers: ['198.18.0.53'],
          host_routes: [{ destination: '198.18.10.0/24', nexthop: '10.1.0.254' }],
          ipv6_address_mode: null,
          ipv6_ra_mode: null,
        },
      ],
      hosts: expect.any(Array),
    });
    const entries = n.hosts.map((h) => [h.port_id, h.mac_address, h.ip_address, h.hostname]).sort();
    expect(entries).toEqual(
      [
        [vm.id, vm.mac_address, '10.1.0.7', 'host-10-1-0-7'],
        [
          dhcpPort.id,
          dhcpPort.mac_address,
          dhcpPort.fixed_ips[0].ip_address,
          `host-${dhcpPort.fixed_ips[0].ip_address.replace(/\./g, '-')}`,
        ],
      ].sort(),
    );
  });

  it('sends only the network that changed, since the revision the agent holds', async () => {
    const other = ok(await cp.api.post('/v2.0/networks', { network: { name: 'other' } }), 201).network;
    ok(await cp.api.post('/v2.0/subnets', { subnet: { network_id: other.id, cidr: '10.5.0.0/24', ip_version: 4 } }), 201);
    let d = await settled('dhcp-1', revision);
    expect(Object.keys(d.networks)).toEqual([other.id]); // the only DHCP agent serves it too
    revision = d.revision;

    ok(await cp.api.put(`/v2.0/subnets/${subnet.id}`, { subnet: { dns_nameservers: ['198.18.0.54', '198.18.0.55'] } }), 200);
    d = await settled('dhcp-1', revision);
    expect(d).toMatchObject({ resync: false, since: revision });
    expect(Object.keys(d.networks)).toEqual([net.id]);
    expect(d.networks[net.id].subnets[0].dns_nameservers).toEqual(['198.18.0.54', '198.18.0.55']);
    revision = d.revision;

    ok(await cp.api.put(`/v2.0/ports/${vm.id}`, { port: { fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.1.0.8' }] } }), 200);
    d = await settled('dhcp-1', revision);
    const moved = (d.networks[net.id] as DhcpNetworkDoc).hosts.find((h) => h.port_id === vm.id);
    expect(moved).toMatchObject({ ip_address: '10.1.0.8', hostname: 'host-10-1-0-8' });
    revision = d.revision;
  });

  it('moves a network to another agent: the old host gets it removed (null), the new host gets it whole', async () => {
    const second = await register('dhcp-2');
    expect((await cp.api.del(`/v2.0/agents/${agentIds.get('dhcp-1')}/dhcp-networks/${net.id}`)).status).toBe(204);
    ok(await cp.api.post(`/v2.0/agents/${second}/dhcp-networks`, { network_id: net.id }), 201);
    const old = await settled('dhcp-1', revision);
    expect(old.networks).toEqual({ [net.id]: null });
    const fresh = (await settled('dhcp-2')).networks[net.id] as DhcpNetworkDoc;
    expect(fresh.agent_id).toBe(second);
    // Its own DHCP port on the new host.
    const ports = ok(await cp.api.get(`/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`), 200).ports as Json[];
    expect(ports.map((p) => p['binding:host_id'])).toEqual(['dhcp-2']);
    expect(fresh.port?.id).toBe(ports[0].id);
  });

  it("carries a port's extra DHCP options to its host entries; bad options are refused and change nothing", async () => {
    const opts = [
      { opt_name: 'bootfile-name', opt_value: 'pxelinux.0' },
      { opt_name: 'tftp-server', opt_value: '198.18.0.9', ip_version: 4 },
      { opt_name: 'dns-server', opt_value: '[2001:db8::53]', ip_version: 6 },
    ];
    const quietRevision = (await settled('dhcp-1')).revision;
    const body = ok(await cp.api.put(`/v2.0/ports/${vm.id}`, { port: { extra_dhcp_opts: opts } }), 200).port;
    expect(body.extra_dhcp_opts).toEqual([
      { opt_name: 'bootfile-name', opt_value: 'pxelinux.0', ip_version: 4 },
      { opt_name: 'tftp-server', opt_value: '198.18.0.9', ip_version: 4 },
      { opt_name: 'dns-server', opt_value: '[2001:db8::53]', ip_version: 6 },
    ]);
    // Removing one by a null value keeps the others.
    ok(await cp.api.put(`/v2.0/ports/${vm.id}`, { port: { extra_dhcp_opts: [{ opt_name: 'tftp-server', opt_value: null }] } }), 200);
    const entry = ((await settled('dhcp-2')).networks[net.id] as DhcpNetworkDoc).hosts.find((h) => h.port_id === vm.id);
    // The IPv4 address gets the IPv4 options.
    expect(entry?.extra_dhcp_opts).toEqual([{ opt_name: 'bootfile-name', opt_value: 'pxelinux.0', ip_version: 4 }]);
    // dhcp-1 no longer serves this network: its document did not move.
    expect((await doc('dhcp-1')).revision).toBe(quietRevision);
    await expectRefused(
      () => cp.head(),
      cp.api.put(`/v2.0/ports/${vm.id}`, {
        port: { extra_dhcp_opts: [{ opt_name: 'bootfile-name', opt_value: 'x\ndhcp-range=0.0.0.0' }] },
      }),
      400,
      'HTTPBadRequest',
    );
    await expectRefused(
      () => cp.head(),
      cp.api.post('/v2.0/ports', { port: { network_id: net.id, extra_dhcp_opts: [{ opt_name: 'bootfile-name', opt_value: 1 }] } }),
      400,
      'HTTPBadRequest',
    );
  });

  it('answers an unknown, stale or malformed revision with the whole document marked resync', async () => {
    const d = await settled('dhcp-2', '0-999999');
    expect(d).toMatchObject({ resync: true, host: 'dhcp-2' });
    expect(Object.keys(d.networks)).toEqual([net.id]);
    // Not a revision at all: the agent lost its state, so it gets everything, not an error it cannot act on.
    expect(await doc('dhcp-2', 'not-a-revision')).toMatchObject({
      resync: true,
      since: 'not-a-revision',
      networks: { [net.id]: expect.any(Object) },
    });
  });

  it("the reference agent writes each network's dnsmasq files and follows changes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dhcp-agent-'));
    const agent = new ReferenceDhcpAgent({ server: cp.url, host: 'dhcp-2', stateDir: dir, heartbeatSeconds: 60, log: () => undefined });
    try {
      await agent.start();
      const hosts = () => readFileSync(join(dir, net.id, 'hosts'), 'utf8');
      await eventually(() => Promise.resolve(existsSync(join(dir, net.id, 'hosts'))));
      const opts = readFileSync(join(dir, net.id, 'opts'), 'utf8');
      expect(opts).toContain(`tag:subnet-${subnet.id},option:dns-server,198.18.0.54,198.18.0.55\n`);
      expect(opts).toContain(`tag:subnet-${subnet.id},option:classless-static-route,198.18.10.0/24,10.1.0.254,0.0.0.0/0,10.1.0.1\n`);
      expect(opts).toContain(`tag:subnet-${subnet.id},option:router,10.1.0.1\n`);
      // The port with extra options is tagged, and its options are given to that tag only.
      expect(hosts()).toContain(`${vm.mac_address},set:port-${vm.id},host-10-1-0-8.openstacklocal,10.1.0.8\n`);
      expect(opts).toContain(`tag:port-${vm.id},option:bootfile-name,pxelinux.0\n`);
      expect(readFileSync(join(dir, net.id, 'dnsmasq.conf'), 'utf8')).toContain(
        `dhcp-range=set:subnet-${subnet.id},10.1.0.0,static,255.255.255.0,86400s\n`,
      );

      // A new port shows up through the watch stream.
      const late = ok(
        await cp.api.post('/v2.0/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.1.0.99' }] } }),
        201,
      ).port;
      await eventually(() => Promise.resolve(hosts().includes(`${late.mac_address},host-10-1-0-99.openstacklocal,10.1.0.99\n`)));
      // Admin-down, the network is not served (its directory goes); up again, it is back.
      ok(await cp.api.put(`/v2.0/networks/${net.id}`, { network: { admin_state_up: false } }), 200);
      await eventually(() => Promise.resolve(!readdirSync(dir).includes(net.id)));
      ok(await cp.api.put(`/v2.0/networks/${net.id}`, { network: { admin_state_up: true } }), 200);
      await eventually(() => Promise.resolve(existsSync(join(dir, net.id, 'hosts'))));
      // The network leaves the host: its directory goes.
      expect((await cp.api.del(`/v2.0/agents/${agentIds.get('dhcp-2')}/dhcp-networks/${net.id}`)).status).toBe(204);
      await eventually(() => Promise.resolve(!readdirSync(dir).includes(net.id)));
    } finally {
      agent.stop();
      removeDir(dir);
    }
  });

  it('rebuilds from position 0 to the same model, and verify finds no difference', async () => {
    await eventually(async () => (runtime.projector?.checkpoint ?? 0) >= (await cp.head()));
    const before = { digest: await runtime.projection.digest(runtime.options.db), doc: (await doc('dhcp-1')).networks };
    expect(await verifyDhcp(cp.running.ws.store, runtime.options.db)).toMatchObject({ ok: true, differences: [] });
    await runtime.projector!.stop();
    await rebuildDhcp(cp.running.ws.store, runtime.options.db);
    expect(await runtime.projection.digest(runtime.options.db)).toBe(before.digest);
    expect((await doc('dhcp-1')).networks).toEqual(before.doc);
    await runtime.projector!.start();
  });
});
