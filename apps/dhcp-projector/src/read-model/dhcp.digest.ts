import { combineParts, digestParts, type Database, type DigestPart } from '@cp/store';

/*
 * What the digest covers: the normalised facts and which networks each host's
 * document lists. Not revisions, tombstones or the epoch: they record how the
 * model got here, and design.md §6.5 asks for the same model under every
 * interleaving. Documents are pure functions of these rows (and the process's
 * lease and domain settings), so equal digests mean equal documents.
 */
const PARTS: readonly DigestPart[] = [
  ['dhcp_networks', 'SELECT id, mtu, admin_state_up FROM dhcp_networks'],
  [
    'dhcp_subnets',
    `SELECT id, network_id, ip_version, cidr, gateway_ip, enable_dhcp, dns_nameservers, host_routes, ipv6_address_mode, ipv6_ra_mode
     FROM dhcp_subnets`,
  ],
  ['dhcp_ports', 'SELECT id, network_id, mac, device_owner, device_id, extra_dhcp_opts FROM dhcp_ports'],
  ['dhcp_port_ips', 'SELECT port_id, ip, subnet_id FROM dhcp_port_ips'],
  ['dhcp_bindings', 'SELECT network_id, agent_id, host FROM dhcp_bindings'],
  ['dhcp_host_networks', 'SELECT host, network_id FROM dhcp_host_networks WHERE deleted = 0'],
];

export function dhcpDigestParts(db: Database): Promise<Record<string, string>> {
  return digestParts(db, PARTS);
}

export async function digestModel(db: Database): Promise<string> {
  return combineParts(await dhcpDigestParts(db));
}
