import type { DhcpHostEntry, DhcpNetworkDoc, DhcpSubnet } from '../contract/dhcp-documents';

/** The files one network's dnsmasq reads: `dnsmasq.conf` names the other two (`dnsmasq --conf-file=<dir>/dnsmasq.conf`). */
export type DnsmasqFiles = Record<'dnsmasq.conf' | 'hosts' | 'opts', string>;

const subnetTag = (s: DhcpSubnet) => `subnet-${s.id}`;
const portTag = (h: DhcpHostEntry) => `port-${h.port_id}`;
const bracket = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip);

/** A subnet whose clients get addresses from dnsmasq (IPv4, or IPv6 in `dhcpv6-stateful` mode). */
function assigns(s: DhcpSubnet): boolean {
  return s.ip_version === 4 || s.ipv6_address_mode === 'dhcpv6-stateful';
}

function netmask(cidr: string): string {
  const bits = Number(cidr.split('/')[1]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
}

/**
 * dnsmasq's configuration for one network, as Neutron's DHCP agent writes it:
 * one static range per subnet (addresses come only from the hosts file), a
 * hosts-file line per fixed IP (`mac,name.domain,ip`, tagged with the port when
 * it has extra options), per-subnet options (router, DNS servers, classless
 * static routes, MTU) and per-port extra options. Pure: the same document
 * always gives the same bytes, so an agent rewrites only what changed.
 */
export function dnsmasqFiles(networkId: string, doc: DhcpNetworkDoc, dir: string): DnsmasqFiles {
  const lease = doc.lease_duration === -1 ? 'infinite' : `${doc.lease_duration}s`;
  const conf = [
    `# network ${networkId}, served by DHCP agent ${doc.agent_id}`,
    'no-hosts',
    'no-resolv',
    'bind-interfaces',
    `domain=${doc.dns_domain}`,
    `dhcp-hostsfile=${dir}/hosts`,
    `dhcp-optsfile=${dir}/opts`,
    ...doc.subnets.map((s) =>
      s.ip_version === 4
        ? `dhcp-range=set:${subnetTag(s)},${s.cidr.split('/')[0]},static,${netmask(s.cidr)},${lease}`
        : `dhcp-range=set:${subnetTag(s)},${s.cidr.split('/')[0]},${s.ipv6_address_mode === 'dhcpv6-stateful' ? 'static' : 'ra-stateless'},${s.cidr.split('/')[1]},${lease}`,
    ),
  ];
  const served = new Map(doc.subnets.map((s) => [s.id, s]));
  const hosts = doc.hosts
    .filter((h) => {
      const s = served.get(h.subnet_id);
      return s !== undefined && assigns(s);
    })
    .map((h) =>
      [
        h.mac_address,
        ...(h.extra_dhcp_opts.length > 0 ? [`set:${portTag(h)}`] : []),
        `${h.hostname}.${doc.dns_domain}`,
        bracket(h.ip_address),
      ].join(','),
    );
  const opts: string[] = [];
  for (const s of doc.subnets) opts.push(...subnetOptions(s, doc.mtu));
  const tagged = new Set<string>();
  for (const h of doc.hosts) {
    for (const o of h.extra_dhcp_opts) {
      const line = `tag:${portTag(h)},${/^\d+$/.test(o.opt_name) ? '' : o.ip_version === 6 ? 'option6:' : 'option:'}${o.opt_name},${o.opt_value}`;
      if (!tagged.has(line)) opts.push(line);
      tagged.add(line);
    }
  }
  const text = (lines: string[]) => (lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return { 'dnsmasq.conf': text(conf), hosts: text(hosts), opts: text(opts) };
}

function subnetOptions(s: DhcpSubnet, mtu: number | null): string[] {
  const tag = `tag:${subnetTag(s)}`;
  if (s.ip_version === 6)
    return s.dns_nameservers.length > 0 ? [`${tag},option6:dns-server,${s.dns_nameservers.map(bracket).join(',')}`] : [];
  const lines: string[] = [];
  if (s.dns_nameservers.length > 0) lines.push(`${tag},option:dns-server,${s.dns_nameservers.join(',')}`);
  if (s.host_routes.length > 0) {
    // A client given classless routes ignores option 3, so the default route goes among them (RFC 3442).
    const routes = s.host_routes.flatMap((r) => [r.destination, r.nexthop]);
    if (s.gateway_ip) routes.push('0.0.0.0/0', s.gateway_ip);
    lines.push(`${tag},option:classless-static-route,${routes.join(',')}`, `${tag},249,${routes.join(',')}`);
  }
  // No gateway: an empty router option, so clients get no default route.
  lines.push(s.gateway_ip ? `${tag},option:router,${s.gateway_ip}` : `${tag},option:router`);
  if (mtu !== null) lines.push(`${tag},option:mtu,${mtu}`);
  return lines;
}
