import { Command } from 'commander';
import { demoClient, type DemoClient } from './demo-client';
import { printL2, printL3, printSummary, type Network, type Port, type Resource, type Router, type Subnet } from './demo-print';

/**
 * The classic Neutron hands-on lab, driven through the running control plane's
 * public APIs only: a private network behind an HA router with an external
 * gateway, a jump host and two web servers in their security groups, bound to
 * three compute hosts whose agents report the ports up.
 */
const COMPUTES = [
  { host: 'compute-1', tunnelIp: '192.0.2.11' },
  { host: 'compute-2', tunnelIp: '192.0.2.12' },
  { host: 'compute-3', tunnelIp: '192.0.2.13' },
];
const NETWORK_NODES = ['network-1', 'network-2', 'network-3'];

async function registerAgents(api: DemoClient) {
  for (const c of COMPUTES) {
    await api.put(`/v1/agents/${encodeURIComponent('Open vSwitch agent')}/${c.host}`, {
      tunnel_ip: c.tunnelIp,
      availability_zone: 'nova',
      configurations: { tunnel_types: ['vxlan'], l2_population: true },
    });
  }
  for (const [i, host] of NETWORK_NODES.entries()) {
    await api.put(`/v1/agents/${encodeURIComponent('L3 agent')}/${host}`, {
      tunnel_ip: `192.0.2.${21 + i}`,
      availability_zone: 'nova',
      configurations: { agent_mode: 'legacy' },
    });
    await api.put(`/v1/agents/${encodeURIComponent('Open vSwitch agent')}/${host}`, {
      tunnel_ip: `192.0.2.${21 + i}`,
      availability_zone: 'nova',
      configurations: { tunnel_types: ['vxlan'], l2_population: true },
    });
  }
}

async function securityGroups(api: DemoClient) {
  const jump = (
    await api.post<{ security_group: Resource }>('/v2.0/security-groups', {
      security_group: { name: 'jumphost', description: 'SSH and ping from anywhere' },
    })
  ).security_group;
  const web = (
    await api.post<{ security_group: Resource }>('/v2.0/security-groups', {
      security_group: { name: 'web', description: 'HTTP from anywhere, SSH from the jump host' },
    })
  ).security_group;
  const rule = (sg: string, r: Record<string, unknown>) =>
    api.post('/v2.0/security-group-rules', {
      security_group_rule: { security_group_id: sg, direction: 'ingress', ethertype: 'IPv4', ...r },
    });
  await rule(jump.id, { protocol: 'icmp' });
  await rule(jump.id, { protocol: 'tcp', port_range_min: 22, port_range_max: 22 });
  await rule(web.id, { protocol: 'tcp', port_range_min: 80, port_range_max: 80 });
  await rule(web.id, { protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_group_id: jump.id });
  return { jump, web };
}

/** keepalived on one node wins the election; its agent reports it. The scheduler runs asynchronously, so wait for the binding. */
async function reportActive(api: DemoClient, routerId: string, host: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.put(`/v1/hosts/${host}/routers/${routerId}/ha_state`, { state: 'active' });
    } catch (err) {
      if (attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function run(server: string) {
  const api = demoClient(server);
  await registerAgents(api);
  const pub = (
    await api.post<{ network: Network }>('/v2.0/networks', {
      network: { name: 'public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'external' },
    })
  ).network;
  await api.post('/v2.0/subnets', {
    subnet: { network_id: pub.id, name: 'public-subnet', cidr: '203.0.113.0/24', ip_version: 4, enable_dhcp: false },
  });
  const net = (await api.post<{ network: Network }>('/v2.0/networks', { network: { name: 'private' } })).network;
  const subnet = (
    await api.post<{ subnet: Subnet }>('/v2.0/subnets', {
      subnet: { network_id: net.id, name: 'private-subnet', cidr: '10.0.0.0/24', ip_version: 4 },
    })
  ).subnet;
  const router = (
    await api.post<{ router: Router }>('/v2.0/routers', {
      router: { name: 'demo-router', ha: true, external_gateway_info: { network_id: pub.id } },
    })
  ).router;
  await api.put(`/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
  const { jump, web } = await securityGroups(api);
  const servers = [
    { name: 'jumphost', sg: jump.id, host: 'compute-1' },
    { name: 'web-1', sg: web.id, host: 'compute-2' },
    { name: 'web-2', sg: web.id, host: 'compute-3' },
  ];
  const ports: Port[] = [];
  for (const s of servers) {
    const port = (
      await api.post<{ port: Port }>('/v2.0/ports', {
        port: {
          network_id: net.id,
          name: s.name,
          security_groups: [s.sg],
          'binding:host_id': s.host,
          device_owner: 'compute:nova',
          device_id: `vm-${s.name}`,
        },
      })
    ).port;
    await api.post(`/v1/hosts/${s.host}/ports/${port.id}/up`);
    ports.push((await api.get<{ port: Port }>(`/v2.0/ports/${port.id}`)).port);
  }
  await reportActive(api, router.id, NETWORK_NODES[0]);
  await printSummary(api, { pub, net, subnet, router, jump, web, ports });
  // The projectors run asynchronously; give them a moment to catch up before showing what agents see.
  await new Promise((r) => setTimeout(r, 500));
  for (const c of COMPUTES) await printL2(api, c.host);
  for (const host of NETWORK_NODES) await printL3(api, host);
}

const program = new Command()
  .name('demo')
  .description('Drive a running control plane through the classic Neutron lab and print what it made')
  .option('--server <url>', 'control plane URL', process.env.CP_URL ?? 'http://127.0.0.1:9696')
  .action(async (opts: { server: string }) => run(opts.server));

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exit(1);
});
