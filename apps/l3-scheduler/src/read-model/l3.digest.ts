import { combineParts, digestParts, type Database, type DigestPart } from '@cp/store';

/*
 * What the digest covers: the normalised facts and which routers each host's
 * document lists. Not revisions, tombstones or the epoch: they record how the
 * model got here (the interleaving of partitions, how many rebuilds), and
 * design.md §6.5 asks for the same model under every interleaving. Documents are
 * pure functions of these rows, so equal digests mean equal documents.
 */
const PARTS: readonly DigestPart[] = [
  ['l3_routers', 'SELECT id, project_id, name, description, admin_state_up, ha FROM l3_routers'],
  ['l3_router_ifaces', 'SELECT router_id, port_id, network_id FROM l3_router_ifaces'],
  ['l3_router_iface_subnets', 'SELECT router_id, port_id, subnet_id FROM l3_router_iface_subnets'],
  ['l3_router_gateways', 'SELECT router_id, network_id, port_id, enable_snat, external_fixed_ips FROM l3_router_gateways'],
  ['l3_floating_ips', 'SELECT id, router_id, floating_ip, fixed_ip, port_id FROM l3_floating_ips'],
  ['l3_subnets', 'SELECT id, network_id, cidr, gateway_ip FROM l3_subnets'],
  [
    'l3_agents',
    `SELECT id, host, agent_type, agent_binary, topic, availability_zone, configurations, admin_state_up, alive, created_at, started_at,
            heartbeat_at FROM l3_agents`,
  ],
  ['l3_ha_networks', 'SELECT id, project_id, network_id, subnet_id, cidr, name, idx FROM l3_ha_networks'],
  ['l3_vrids', 'SELECT router_id, ha_network_id, vrid FROM l3_vrids'],
  [
    'l3_bindings',
    'SELECT router_id, agent_id, host, project_id, priority, ha_port_id, state, CAST(state_pos AS VARCHAR(20)) FROM l3_bindings',
  ],
  ['l3_pending', 'SELECT router_id, reason FROM l3_pending'],
  ['l3_ha_ports', 'SELECT id, network_id, mac, ip, host FROM l3_ha_ports'],
  ['l3_host_routers', 'SELECT host, router_id FROM l3_host_routers WHERE deleted = 0'],
];

export function l3DigestParts(db: Database): Promise<Record<string, string>> {
  return digestParts(db, PARTS);
}

export async function digestModel(db: Database): Promise<string> {
  return combineParts(await l3DigestParts(db));
}
