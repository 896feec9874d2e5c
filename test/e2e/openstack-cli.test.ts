import { openstackCli, openstackJson } from '../support/openstack-cli';
import { eventually, removeDir, spawnControlPlane, type ControlPlaneProcess, type Json } from '../support/control-plane';

/**
 * The standard OpenStack client as a real client of our API: create, list, show
 * and delete every resource kind through `openstack`, with no Keystone.
 */
let cp: ControlPlaneProcess;
let os: ReturnType<typeof openstackCli>;

beforeAll(async () => {
  cp = await spawnControlPlane();
  os = openstackCli(cp.url);
});
afterAll(async () => {
  await cp.kill();
  removeDir(cp.dataDir);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is checked field by field
const json = (args: string[]): Promise<any> => openstackJson(os, args);
/** Runs a command that must succeed; on failure the client's stderr is in the assertion message. */
async function ok(args: string[]): Promise<void> {
  const res = await os(args);
  expect({ args, code: res.code, stderr: res.code === 0 ? '' : res.stderr }).toEqual({ args, code: 0, stderr: '' });
}
const ids = (rows: Json[]) => rows.map((r) => r.ID ?? r.id);

describe('openstack CLI against the control plane', () => {
  it('drives networks, subnets and ports', async () => {
    const net = await json(['network', 'create', 'cli-net']);
    expect(net).toMatchObject({ name: 'cli-net', status: 'ACTIVE', 'provider:network_type': 'vxlan' });
    expect(ids(await json(['network', 'list']))).toContain(net.id);
    expect((await json(['network', 'show', net.id])).name).toBe('cli-net');
    // The client sends the MTU as a string; Neutron converts it.
    await ok(['network', 'set', '--mtu', '1400', net.id]);
    expect((await json(['network', 'show', net.id])).mtu).toBe(1400);

    const subnet = await json(['subnet', 'create', '--network', net.id, '--subnet-range', '10.20.0.0/24', 'cli-subnet']);
    expect(subnet).toMatchObject({ cidr: '10.20.0.0/24', gateway_ip: '10.20.0.1', network_id: net.id });
    expect(ids(await json(['subnet', 'list', '--network', net.id]))).toEqual([subnet.id]);

    const port = await json(['port', 'create', '--network', net.id, '--fixed-ip', `subnet=${subnet.id},ip-address=10.20.0.50`, 'cli-port']);
    expect(port.fixed_ips).toEqual([{ subnet_id: subnet.id, ip_address: '10.20.0.50' }]);
    expect(port.mac_address).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);
    expect(ids(await json(['port', 'list', '--network', net.id]))).toContain(port.id);
    expect((await json(['port', 'show', port.id])).name).toBe('cli-port');

    const clash = await os(['port', 'create', '--network', net.id, '--fixed-ip', `subnet=${subnet.id},ip-address=10.20.0.50`, 'dup']);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toMatch(/10\.20\.0\.50/);

    await ok(['port', 'delete', port.id]);
    await ok(['subnet', 'delete', subnet.id]);
    await ok(['network', 'delete', net.id]);
    expect(ids(await json(['network', 'list']))).not.toContain(net.id);
  });

  it('drives security groups and rules', async () => {
    const sg = await json(['security', 'group', 'create', 'cli-web']);
    expect(sg.name).toBe('cli-web');
    const rule = await json(['security', 'group', 'rule', 'create', '--ingress', '--protocol', 'tcp', '--dst-port', '80', sg.id]);
    expect(rule).toMatchObject({ direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80 });
    const rules = await json(['security', 'group', 'rule', 'list', sg.id]);
    expect(ids(rules)).toContain(rule.id);
    expect((await json(['security', 'group', 'show', sg.id])).name).toBe('cli-web');
    expect(ids(await json(['security', 'group', 'list']))).toContain(sg.id);
    await ok(['security', 'group', 'rule', 'delete', rule.id]);
    await ok(['security', 'group', 'delete', sg.id]);
  });

  it('drives routers with an interface and a gateway', async () => {
    const ext = await json([
      'network',
      'create',
      '--external',
      '--provider-network-type',
      'flat',
      '--provider-physical-network',
      'ext',
      'cli-ext',
    ]);
    await json(['subnet', 'create', '--network', ext.id, '--subnet-range', '198.51.100.0/24', '--no-dhcp', 'cli-ext-subnet']);
    const net = await json(['network', 'create', 'cli-inside']);
    const subnet = await json(['subnet', 'create', '--network', net.id, '--subnet-range', '10.30.0.0/24', 'cli-inside-subnet']);
    const router = await json(['router', 'create', 'cli-router']);
    expect(router.name).toBe('cli-router');
    await ok(['router', 'set', '--external-gateway', ext.id, router.id]);
    await ok(['router', 'add', 'subnet', router.id, subnet.id]);
    const shown = await json(['router', 'show', router.id]);
    expect(shown.external_gateway_info.network_id).toBe(ext.id);
    const ifaces = await json(['port', 'list', '--router', router.id]);
    expect(ifaces.length).toBeGreaterThanOrEqual(1);
    expect(ids(await json(['router', 'list']))).toContain(router.id);
    const busy = await os(['router', 'delete', router.id]);
    expect(busy.code).not.toBe(0);
    await ok(['router', 'remove', 'subnet', router.id, subnet.id]);
    await ok(['router', 'unset', '--external-gateway', router.id]);
    await ok(['router', 'delete', router.id]);
  });

  it('drives floating IPs: create, associate with a server port, list, unset and delete', async () => {
    const ext = await json(['network', 'create', '--external', 'fip-ext']);
    await json(['subnet', 'create', '--network', ext.id, '--subnet-range', '192.0.2.0/24', '--no-dhcp', 'fip-ext-subnet']);
    const net = await json(['network', 'create', 'fip-inside']);
    const subnet = await json(['subnet', 'create', '--network', net.id, '--subnet-range', '10.40.0.0/24', 'fip-inside-subnet']);
    const router = await json(['router', 'create', 'fip-router']);
    await ok(['router', 'set', '--external-gateway', ext.id, router.id]);
    await ok(['router', 'add', 'subnet', router.id, subnet.id]);
    const port = await json(['port', 'create', '--network', net.id, 'fip-vm']);

    const fip = await json(['floating', 'ip', 'create', '--description', 'web', 'fip-ext']);
    expect(fip).toMatchObject({ floating_network_id: ext.id, port_id: null, status: 'DOWN', description: 'web' });
    expect(fip.floating_ip_address).toMatch(/^192\.0\.2\./);
    await ok(['floating', 'ip', 'set', '--port', port.id, fip.id]);
    expect(await json(['floating', 'ip', 'show', fip.floating_ip_address])).toMatchObject({
      port_id: port.id,
      fixed_ip_address: port.fixed_ips[0].ip_address,
      router_id: router.id,
      status: 'ACTIVE',
    });
    const rows = await json(['floating', 'ip', 'list', '--port', port.id]);
    expect(rows.map((r: Json) => [r.ID, r['Floating IP Address'], r['Fixed IP Address']])).toEqual([
      [fip.id, fip.floating_ip_address, port.fixed_ips[0].ip_address],
    ]);
    // The router cannot drop the subnet the floating IP is mapped through.
    expect((await os(['router', 'remove', 'subnet', router.id, subnet.id])).code).not.toBe(0);
    await ok(['floating', 'ip', 'unset', '--port', fip.id]);
    expect((await json(['floating', 'ip', 'show', fip.id])).port_id).toBeNull();
    await ok(['floating', 'ip', 'delete', fip.id]);
    expect(ids(await json(['floating', 'ip', 'list']))).not.toContain(fip.id);
  });

  it('moves a router between L3 agents: network agent add/remove router', async () => {
    for (const host of ['cli-net-1', 'cli-net-2']) {
      const res = await fetch(`${cp.url}/v1/agents/${encodeURIComponent('L3 agent')}/${host}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ configurations: { agent_mode: 'legacy' } }),
      });
      expect(res.status).toBe(200);
    }
    const router = await json(['router', 'create', 'cli-moved']);
    const hosting = async () => {
      for (let i = 0; i < 50; i++) {
        const rows = await json(['network', 'agent', 'list', '--router', router.id]);
        if (rows.length > 0) return rows;
        await new Promise((r) => setTimeout(r, 100));
      }
      return [];
    };
    const [first] = await hosting(); // the scheduler placed it on one agent
    const agents = await json(['network', 'agent', 'list', '--agent-type', 'l3']);
    const other = agents.find((a: Json) => a.ID !== first.ID);
    await ok(['network', 'agent', 'remove', 'router', '--l3', first.ID, router.id]);
    expect(await json(['network', 'agent', 'list', '--router', router.id])).toEqual([]);
    await ok(['network', 'agent', 'add', 'router', '--l3', other.ID, router.id]);
    expect(ids(await json(['network', 'agent', 'list', '--router', router.id]))).toEqual([other.ID]);
    expect(ids(await json(['router', 'list', '--agent', other.ID]))).toContain(router.id);
  });

  it('lists and moves a network’s DHCP agents: network agent list --network, add/remove network --dhcp', async () => {
    const agents: string[] = [];
    for (const host of ['cli-dhcp-1', 'cli-dhcp-2']) {
      const res = await fetch(`${cp.url}/v1/agents/${encodeURIComponent('DHCP agent')}/${host}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      agents.push(((await res.json()) as { agent: { id: string } }).agent.id);
    }
    const net = await json(['network', 'create', 'cli-dhcp-net']);
    await json(['subnet', 'create', '--network', net.id, '--subnet-range', '10.50.0.0/24', 'cli-dhcp-subnet']);
    const [serving] = await json(['network', 'agent', 'list', '--network', net.id]);
    expect(serving).toMatchObject({ 'Agent Type': 'DHCP agent' });
    const other = agents.find((id) => id !== serving.ID)!;
    await ok(['network', 'agent', 'remove', 'network', '--dhcp', serving.ID, net.id]);
    await ok(['network', 'agent', 'add', 'network', '--dhcp', other, net.id]);
    expect(ids(await json(['network', 'agent', 'list', '--network', net.id]))).toEqual([other]);
    const ports = await json(['port', 'list', '--network', net.id, '--device-owner', 'network:dhcp', '--long']);
    expect(ports).toHaveLength(1);

    // A port with extra DHCP options reaches the serving agent's DHCP document with them.
    const port = await json([
      'port',
      'create',
      '--network',
      net.id,
      '--extra-dhcp-option',
      'name=bootfile-name,value=pxelinux.0',
      '--extra-dhcp-option',
      'name=tftp-server,value=198.18.0.9,ip-version=4',
      'cli-pxe',
    ]);
    expect(port.extra_dhcp_opts).toEqual(
      expect.arrayContaining([
        { opt_name: 'bootfile-name', opt_value: 'pxelinux.0', ip_version: 4 },
        { opt_name: 'tftp-server', opt_value: '198.18.0.9', ip_version: 4 },
      ]),
    );
    const host = ['cli-dhcp-1', 'cli-dhcp-2'][agents.indexOf(other)];
    const entryOf = async () => {
      const doc = (await (await fetch(`${cp.url}/v1/hosts/${host}/dhcp`)).json()) as {
        networks: Record<string, { hosts: Array<{ port_id: string; extra_dhcp_opts: unknown[] }> }>;
      };
      return doc.networks[net.id]?.hosts.find((h) => h.port_id === port.id);
    };
    await eventually(async () => (await entryOf())?.extra_dhcp_opts.length === 2);
  });
});
