/**
 * The workload the distributed tests drive through the public API: agents on
 * three compute hosts and three network nodes, two tenant networks, ports bound
 * and reported up, security groups whose rules name remote groups (so hosts need
 * ipsets), and an HA router with an interface (so the scheduler decides and the
 * L2 model floods to the router's hosts). Split in rounds so faults can be
 * injected between them.
 */
import { client } from '../../support/control-plane';

type Api = ReturnType<typeof client>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

const OVS = `/v1/agents/${encodeURIComponent('Open vSwitch agent')}`;
const L3 = `/v1/agents/${encodeURIComponent('L3 agent')}`;
const DHCP = `/v1/agents/${encodeURIComponent('DHCP agent')}`;
export const COMPUTES = ['compute-1', 'compute-2', 'compute-3'];
const NET_NODES = ['net-1', 'net-2', 'net-3'];

async function ok(p: Promise<{ status: number; body: Json | null }>, what: string): Promise<Json> {
  const res = await p;
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body ?? {};
}

export interface Topology {
  networks: string[];
  subnets: string[];
  groups: { web: string; db: string };
  ports: string[];
  router?: string;
}

/** Agents, networks, subnets, groups with remote-group rules. */
export async function setUp(api: Api): Promise<Topology> {
  for (const [i, host] of COMPUTES.entries()) {
    await ok(
      api.put(`${OVS}/${host}`, { tunnel_ip: `10.0.0.${11 + i}`, configurations: { tunnel_types: ['vxlan'], l2_population: true } }),
      `agent ${host}`,
    );
  }
  for (const [i, host] of NET_NODES.entries()) {
    await ok(
      api.put(`${OVS}/${host}`, { tunnel_ip: `10.0.1.${11 + i}`, configurations: { tunnel_types: ['vxlan'], l2_population: true } }),
      `agent ${host}`,
    );
    await ok(api.put(`${L3}/${host}`, { configurations: { agent_mode: 'legacy' } }), `l3 agent ${host}`);
    await ok(api.put(`${DHCP}/${host}`, {}), `dhcp agent ${host}`);
  }
  const topo: Topology = { networks: [], subnets: [], groups: { web: '', db: '' }, ports: [] };
  for (const [i, name] of ['blue', 'green'].entries()) {
    const net = (await ok(api.post('/v2.0/networks', { network: { name } }), `network ${name}`)).network as Json;
    const sub = (
      await ok(api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: `10.${20 + i}.0.0/24`, ip_version: 4 } }), `subnet ${name}`)
    ).subnet as Json;
    topo.networks.push(net.id);
    topo.subnets.push(sub.id);
  }
  for (const name of ['web', 'db'] as const) {
    topo.groups[name] = (
      (await ok(api.post('/v2.0/security-groups', { security_group: { name } }), `group ${name}`)).security_group as Json
    ).id;
  }
  const rule = (group: string, remote: string, ethertype = 'IPv4') =>
    ok(
      api.post('/v2.0/security-group-rules', {
        security_group_rule: {
          security_group_id: group,
          direction: 'ingress',
          ethertype,
          protocol: 'tcp',
          port_range_min: 5432,
          port_range_max: 5432,
          remote_group_id: remote,
        },
      }),
      'rule',
    );
  await rule(topo.groups.db, topo.groups.web);
  await rule(topo.groups.web, topo.groups.web);
  await rule(topo.groups.web, topo.groups.db, 'IPv6');
  return topo;
}

/** `count` ports spread over hosts, networks and groups, each bound and reported up; every third has an address pair. */
export async function addPorts(api: Api, topo: Topology, from: number, count: number): Promise<void> {
  for (let n = from; n < from + count; n++) {
    const host = COMPUTES[n % COMPUTES.length];
    const body: Json = {
      network_id: topo.networks[n % 2],
      'binding:host_id': host,
      security_groups: [n % 3 === 0 ? topo.groups.db : topo.groups.web],
    };
    if (n % 3 === 1) body.allowed_address_pairs = [{ ip_address: `192.168.${n % 250}.10` }];
    const port = (await ok(api.post('/v2.0/ports', { port: body }), `port ${n}`)).port as Json;
    topo.ports.push(port.id);
    await ok(api.post(`/v1/hosts/${host}/ports/${port.id}/up`), `port ${n} up`);
  }
}

/** Some churn: a port moves host (DOWN until the new host reports it up), another goes down, one is deleted. */
export async function churn(api: Api, topo: Topology, seed: number): Promise<void> {
  const moved = topo.ports[seed % topo.ports.length];
  const to = COMPUTES[(seed + 1) % COMPUTES.length];
  await ok(api.put(`/v2.0/ports/${moved}`, { port: { 'binding:host_id': to } }), 'move port');
  await ok(api.post(`/v1/hosts/${to}/ports/${moved}/up`), 'moved port up');
  const gone = topo.ports.splice((seed * 7) % topo.ports.length, 1)[0];
  await ok(api.del(`/v2.0/ports/${gone}`), 'delete port');
}

/** An HA router with an interface on the first network: the scheduler places it on the three network nodes. */
export async function addRouter(api: Api, topo: Topology): Promise<void> {
  const router = (await ok(api.post('/v2.0/routers', { router: { name: 'edge', ha: true } }), 'router')).router as Json;
  await ok(api.put(`/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: topo.subnets[0] }), 'router interface');
  topo.router = router.id;
}
