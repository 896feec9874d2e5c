import type { DemoClient } from './demo-client';

const out = (line = '') => process.stdout.write(`${line}\n`);
type Json = Record<string, any>;

export async function printSummary(api: DemoClient, made: Json) {
  out('== What the lab made ==');
  out(`external network  ${made.pub.name} ${made.pub.id} (flat, router:external)`);
  out(`private network   ${made.net.name} ${made.net.id} (${made.net['provider:network_type']} ${made.net['provider:segmentation_id']})`);
  out(`subnet            ${made.subnet.name} ${made.subnet.cidr} gateway ${made.subnet.gateway_ip}`);
  const router = (await api.get(`/v2.0/routers/${made.router.id}`)).router;
  out(
    `router            ${router.name} ${router.id} ha=${router.ha} gateway=${JSON.stringify(router.external_gateway_info?.external_fixed_ips ?? [])}`,
  );
  out(`security groups   jumphost ${made.jump.id}, web ${made.web.id}`);
  for (const p of made.ports) {
    const ips = p.fixed_ips.map((f: Json) => f.ip_address).join(',');
    out(`port              ${p.name.padEnd(9)} ${p.mac_address} ${ips.padEnd(10)} host=${p['binding:host_id']} status=${p.status}`);
  }
  out();
}

export async function printL2(api: DemoClient, host: string) {
  const view = await api.get(`/v1/hosts/${host}/l2`);
  out(`== L2 agent on ${host} (revision ${view.revision}) ==`);
  for (const [id, n] of Object.entries<Json>(view.networks ?? {})) {
    out(`  network ${id} ${n.network_type} ${n.segmentation_id}`);
    out(`    flood: ${(n.flood ?? []).join(', ') || '-'}`);
    for (const [ip, entries] of Object.entries<Array<[string, string]>>(n.fdb ?? {})) {
      out(`    fdb ${ip}: ${entries.map(([mac, addr]) => `${mac} ${addr}`).join('; ')}`);
    }
  }
  for (const [name, s] of Object.entries<Json>(view.ipsets ?? {})) out(`  ipset ${name}: ${(s.members ?? []).join(', ')}`);
  out();
}

export async function printL3(api: DemoClient, host: string) {
  const view = await api.get(`/v1/hosts/${host}/l3`);
  out(`== L3 agent on ${host} (revision ${view.revision}) ==`);
  for (const [id, r] of Object.entries<Json>(view.routers ?? {})) {
    out(`  router ${id} ha_network ${r.ha_network_id} vrid ${r.vrid} priority ${r.priority} state ${r.state}`);
  }
  out();
}
