import { combineParts, digestParts, type Database, type DigestPart } from '@cp/store';

/*
 * What the digest covers: the normalised facts, the per-network and per-group
 * state and the live rows of what each host takes part in. Not revisions,
 * seqs, tombstones or the epoch:
 * those record how the model got here (which interleaving of partitions, how many
 * rebuilds), and design.md §6.5 asks for the same model under every interleaving.
 */
const PARTS: readonly DigestPart[] = [
  ['l2_networks', 'SELECT id, network_type, segmentation_id FROM l2_networks'],
  ['l2_ports', 'SELECT id, network_id, mac, host, active, device_owner, port_security FROM l2_ports'],
  ['l2_port_ips', 'SELECT port_id, kind, ip, family FROM l2_port_ips'],
  ['l2_port_sgs', 'SELECT port_id, sg_id FROM l2_port_sgs'],
  ['l2_agents', 'SELECT id, host, tunnel_ip FROM l2_agents'],
  ['l2_sgs', 'SELECT id, project_id, is_default FROM l2_sgs'],
  ['l2_sg_rules', 'SELECT id, sg_id, ethertype, remote_group_id, spec FROM l2_sg_rules'],
  ['l2_routers', 'SELECT id, ha FROM l2_routers'],
  ['l2_router_ifaces', 'SELECT router_id, port_id, network_id FROM l2_router_ifaces'],
  ['l2_router_hosts', 'SELECT router_id, host FROM l2_router_hosts'],
  ['l2_members', 'SELECT network_id, tunnel_ip, host, entries FROM l2_members WHERE deleted = 0'],
  ['l2_fdb', 'SELECT network_id, tunnel_ip, host, mac, ip FROM l2_fdb WHERE deleted = 0'],
  ['l2_set_ips', 'SELECT sg_id, family, ip, refs FROM l2_set_ips WHERE refs > 0'],
  ['l2_host_nets', 'SELECT host, network_id, network_type, segmentation_id FROM l2_host_nets WHERE deleted = 0'],
  ['l2_host_ipsets', 'SELECT host, name, sg_id, ethertype FROM l2_host_ipsets WHERE deleted = 0'],
];

/** Per table: a hash of its rows (libs/store's table digest). */
export function l2DigestParts(db: Database): Promise<Record<string, string>> {
  return digestParts(db, PARTS);
}

export async function digestModel(db: Database): Promise<string> {
  return combineParts(await l2DigestParts(db));
}
