import type { DemoClient } from './demo-client';

const out = (line = '') => process.stdout.write(`${line}\n`);

/*
 * What the demo reads of the API's answers: Neutron's resources (the attributes
 * printed below) and the agent documents of GET /v1/hosts/{host}/l2 and /l3
 * (their full shapes are the contracts in apps/l2pop-projector and apps/l3-scheduler).
 */
export interface Resource {
  id: string;
  name: string;
}
export interface Network extends Resource {
  'provider:network_type': string;
  'provider:segmentation_id': number | null;
}
export interface Subnet extends Resource {
  cidr: string;
  gateway_ip: string | null;
}
export interface Router extends Resource {
  ha: boolean;
  external_gateway_info: { external_fixed_ips?: Array<{ subnet_id: string; ip_address: string }> } | null;
}
export interface Port extends Resource {
  mac_address: string;
  fixed_ips: Array<{ subnet_id: string; ip_address: string }>;
  'binding:host_id': string;
  status: string;
}
interface L2View {
  revision: string;
  networks: Record<
    string,
    { network_type: string; segmentation_id: number | null; flood: string[]; fdb: Record<string, Array<[string, string]>> }
  >;
  ipsets: Record<string, { members: string[] }>;
}
interface L3View {
  revision: string;
  routers: Record<string, { ha_network_id: string | null; vrid: number | null; priority: number; state: string }>;
}

export interface Made {
  pub: Network;
  net: Network;
  subnet: Subnet;
  router: Router;
  jump: Resource;
  web: Resource;
  ports: Port[];
}

export async function printSummary(api: DemoClient, made: Made) {
  out('== What the lab made ==');
  out(`external network  ${made.pub.name} ${made.pub.id} (flat, router:external)`);
  out(`private network   ${made.net.name} ${made.net.id} (${made.net['provider:network_type']} ${made.net['provider:segmentation_id']})`);
  out(`subnet            ${made.subnet.name} ${made.subnet.cidr} gateway ${made.subnet.gateway_ip}`);
  const router = (await api.get<{ router: Router }>(`/v2.0/routers/${made.router.id}`)).router;
  out(
    `router            ${router.name} ${router.id} ha=${router.ha} gateway=${JSON.stringify(router.external_gateway_info?.external_fixed_ips ?? [])}`,
  );
  out(`security groups   jumphost ${made.jump.id}, web ${made.web.id}`);
  for (const p of made.ports) {
    const ips = p.fixed_ips.map((f) => f.ip_address).join(',');
    out(`port              ${p.name.padEnd(9)} ${p.mac_address} ${ips.padEnd(10)} host=${p['binding:host_id']} status=${p.status}`);
  }
  out();
}

export async function printL2(api: DemoClient, host: string) {
  const view = await api.get<L2View>(`/v1/hosts/${host}/l2`);
  out(`== L2 agent on ${host} (revision ${view.revision}) ==`);
  for (const [id, n] of Object.entries(view.networks ?? {})) {
    out(`  network ${id} ${n.network_type} ${n.segmentation_id}`);
    out(`    flood: ${(n.flood ?? []).join(', ') || '-'}`);
    for (const [ip, entries] of Object.entries(n.fdb ?? {})) {
      out(`    fdb ${ip}: ${entries.map(([mac, addr]) => `${mac} ${addr}`).join('; ')}`);
    }
  }
  for (const [name, s] of Object.entries(view.ipsets ?? {})) out(`  ipset ${name}: ${(s.members ?? []).join(', ')}`);
  out();
}

export async function printL3(api: DemoClient, host: string) {
  const view = await api.get<L3View>(`/v1/hosts/${host}/l3`);
  out(`== L3 agent on ${host} (revision ${view.revision}) ==`);
  for (const [id, r] of Object.entries(view.routers ?? {})) {
    out(`  router ${id} ha_network ${r.ha_network_id} vrid ${r.vrid} priority ${r.priority} state ${r.state}`);
  }
  out();
}
