import type { ExtraDhcpOpt } from '@cp/events';
import { cmp, groupBy, inChunks, placeholders, type Database, type Tx } from '@cp/store';
import type { DhcpConfig } from '../config';
import type { DhcpHostEntry, DhcpNetworkDoc, DhcpSubnet } from '../contract/dhcp-documents';

interface SubnetRow {
  id: string;
  network_id: string;
  ip_version: number;
  cidr: string;
  gateway_ip: string | null;
  enable_dhcp: number;
  dns_nameservers: string;
  host_routes: string;
  ipv6_address_mode: string | null;
  ipv6_ra_mode: string | null;
}

interface PortRow {
  id: string;
  network_id: string;
  mac: string;
  device_id: string;
  extra_dhcp_opts: string;
}

/** Neutron's host name for an address without DNS integration: `host-10-0-0-5`, `host-fd00--5`. */
export function hostnameOf(ip: string): string {
  return `host-${ip.replace(/[.:]/g, '-')}`;
}

/**
 * The documents of the networks `host` serves (all of them, or those in
 * `only`), assembled from the normalised tables (in `tx` when the feed reads
 * under churn). `deviceId` names this host's DHCP port on a network.
 */
export async function networkDocs(
  db: Database,
  tx: Tx | undefined,
  host: string,
  config: DhcpConfig,
  deviceId: (host: string, networkId: string) => string,
  only?: readonly string[],
): Promise<Map<string, DhcpNetworkDoc>> {
  const wanted = only ? new Set(only) : null;
  const mine = (await db.all<{ network_id: string; agent_id: string }>('SELECT * FROM dhcp_bindings WHERE host = ?', [host], tx)).filter(
    (b) => !wanted || wanted.has(b.network_id),
  );
  const ids = mine.map((b) => b.network_id);
  const q = <T>(sql: (ph: string) => string) => inChunks(ids, (c) => db.all<T>(sql(placeholders(c.length)), c, tx));
  const networks = new Map(
    (await q<{ id: string; mtu: number; admin_state_up: number }>((ph) => `SELECT * FROM dhcp_networks WHERE id IN (${ph})`)).map((n) => [
      n.id,
      n,
    ]),
  );
  const subnets = groupBy(
    await q<SubnetRow>((ph) => `SELECT * FROM dhcp_subnets WHERE network_id IN (${ph}) AND enable_dhcp = 1`),
    (s) => s.network_id,
  );
  const ports = groupBy(await q<PortRow>((ph) => `SELECT * FROM dhcp_ports WHERE network_id IN (${ph})`), (p) => p.network_id);
  const ips = groupBy(
    await q<{ port_id: string; ip: string; subnet_id: string }>(
      (ph) =>
        `SELECT i.port_id, i.ip, i.subnet_id FROM dhcp_port_ips i JOIN dhcp_ports p ON p.id = i.port_id WHERE p.network_id IN (${ph})`,
    ),
    (i) => i.port_id,
  );

  const docs = new Map<string, DhcpNetworkDoc>();
  for (const b of [...mine].sort((x, y) => cmp(x.network_id, y.network_id))) {
    const n = networks.get(b.network_id);
    const served = (subnets.get(b.network_id) ?? []).sort((x, y) => cmp(x.id, y.id));
    const dhcpSubnets = new Set(served.map((s) => s.id));
    const netPorts = (ports.get(b.network_id) ?? []).sort((x, y) => cmp(x.id, y.id));
    const own = netPorts.find((p) => p.device_id === deviceId(host, b.network_id));
    const hosts: DhcpHostEntry[] = [];
    for (const p of netPorts) {
      const opts = (JSON.parse(p.extra_dhcp_opts) as ExtraDhcpOpt[]).map((o) => ({
        opt_name: o.optName,
        opt_value: o.optValue,
        ip_version: o.ipVersion,
      }));
      for (const ip of (ips.get(p.id) ?? []).sort((x, y) => cmp(x.ip, y.ip))) {
        if (!dhcpSubnets.has(ip.subnet_id)) continue;
        hosts.push({
          port_id: p.id,
          mac_address: p.mac,
          ip_address: ip.ip,
          subnet_id: ip.subnet_id,
          hostname: hostnameOf(ip.ip),
          extra_dhcp_opts: opts.filter((o) => o.ip_version === (ip.ip.includes(':') ? 6 : 4)),
        });
      }
    }
    docs.set(b.network_id, {
      agent_id: b.agent_id,
      mtu: n ? Number(n.mtu) : null,
      admin_state_up: n ? Number(n.admin_state_up) === 1 : null,
      lease_duration: config.leaseDuration,
      dns_domain: config.dnsDomain,
      port: own
        ? {
            id: own.id,
            mac_address: own.mac,
            fixed_ips: (ips.get(own.id) ?? []).sort((x, y) => cmp(x.ip, y.ip)).map((i) => ({ subnet_id: i.subnet_id, ip_address: i.ip })),
          }
        : null,
      subnets: served.map(subnetDoc),
      hosts,
    });
  }
  return docs;
}

function subnetDoc(s: SubnetRow): DhcpSubnet {
  return {
    id: s.id,
    ip_version: Number(s.ip_version) === 6 ? 6 : 4,
    cidr: s.cidr,
    gateway_ip: s.gateway_ip,
    dns_nameservers: JSON.parse(s.dns_nameservers) as string[],
    host_routes: JSON.parse(s.host_routes) as DhcpSubnet['host_routes'],
    ipv6_address_mode: s.ipv6_address_mode,
    ipv6_ra_mode: s.ipv6_ra_mode,
  };
}
