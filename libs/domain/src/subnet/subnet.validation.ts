import type { DataOf } from '@cp/events';
import { badRequest, type Rejection } from '../decider';
import { formatIp, invalidAttribute, invalidInput, notAnIp, parseCidr, parseIp, versionMismatch, type Cidr, type Ip } from '../ipam';

/** Neutron's defaults for max_dns_nameservers and max_subnet_host_routes. */
export const MAX_DNS_NAMESERVERS = 5;
export const MAX_HOST_ROUTES = 20;
export const IPV6_MODES = ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'] as const;

type HostRoute = DataOf<'SubnetCreated'>['hostRoutes'][number];

export function checkCidr(text: string, ipVersion: 4 | 6): Cidr | Rejection {
  const parsed = parseCidr(text);
  if (!parsed.ok) return invalidAttribute('cidr', parsed.message);
  if (parsed.cidr.version !== ipVersion) return versionMismatch('cidr', text, ipVersion);
  // dnsmasq fails on /0 (Neutron bug 1362651), so Neutron refuses it.
  if (parsed.cidr.prefixLength === 0) return invalidInput('0 is not allowed as CIDR prefix length');
  return parsed.cidr;
}

/**
 * A gateway may sit outside the block (Neutron allows it for provider
 * networks whose router lives elsewhere), but never on the network address or,
 * for IPv4, the broadcast address of its own block.
 */
export function checkGateway(c: Cidr, text: string | null): Ip | null | Rejection {
  if (text === null) return null;
  const ip = parseIp(text);
  if (!ip) return notAnIp('gateway_ip', text);
  if (ip.version !== c.version) return versionMismatch('gateway_ip', text, c.version);
  if (c.version === 4 && (ip.value === c.first || ip.value === c.last)) return invalidInput('Gateway is not valid on subnet');
  return ip;
}

export function checkDnsNameservers(subnetId: string, c: Cidr, list: readonly string[]): string[] | Rejection {
  if (list.length > MAX_DNS_NAMESERVERS) {
    return badRequest(
      `Unable to complete operation for ${subnetId}. The number of DNS nameservers exceeds the limit ${MAX_DNS_NAMESERVERS}.`,
      'DNSNameServersExhausted',
    );
  }
  const out: string[] = [];
  for (const text of list) {
    const ip = parseIp(text);
    if (!ip) return invalidInput(`Error parsing dns address ${text}`);
    if (ip.version !== c.version) return versionMismatch('dns_nameserver', text, c.version);
    const canonical = formatIp(ip);
    if (out.includes(canonical)) return invalidAttribute('dns_nameservers', `Duplicate nameserver '${text}'`);
    out.push(canonical);
  }
  return out;
}

/** Destinations are stored as networks (host bits cleared) so equal routes compare equal. */
export function checkHostRoutes(subnetId: string, c: Cidr, routes: readonly HostRoute[]): HostRoute[] | Rejection {
  if (routes.length > MAX_HOST_ROUTES) {
    return badRequest(
      `Unable to complete operation for ${subnetId}. The number of host routes exceeds the limit ${MAX_HOST_ROUTES}.`,
      'HostRoutesExhausted',
    );
  }
  const out: HostRoute[] = [];
  for (const route of routes) {
    const destination = parseCidr(route.destination);
    const nexthop = parseIp(route.nexthop);
    if (!destination.ok || !nexthop) {
      return invalidInput(`Invalid route: {'destination': '${route.destination}', 'nexthop': '${route.nexthop}'}`);
    }
    if (nexthop.version !== c.version) return versionMismatch('nexthop', route.nexthop, c.version);
    if (destination.cidr.version !== c.version) return versionMismatch('destination', route.destination, c.version);
    const canonical = { destination: destination.cidr.text, nexthop: formatIp(nexthop) };
    if (out.some((r) => r.destination === canonical.destination && r.nexthop === canonical.nexthop)) {
      return invalidAttribute('host_routes', `Duplicate hostroute '${route.destination} via ${route.nexthop}'`);
    }
    out.push(canonical);
  }
  return out;
}

/** Neutron's _validate_ipv6_attributes and friends. */
export function checkIpv6Modes(c: Cidr, raMode: string | null, addressMode: string | null, enableDhcp: boolean): Rejection | null {
  for (const [attr, mode] of [
    ['ipv6_ra_mode', raMode],
    ['ipv6_address_mode', addressMode],
  ] as const) {
    if (mode === null) continue;
    if (!(IPV6_MODES as readonly string[]).includes(mode)) {
      return invalidAttribute(attr, `'${mode}' is not in [${IPV6_MODES.map((m) => `'${m}'`).join(', ')}]`);
    }
    if (c.version === 4) return invalidInput(`${attr} is not valid when ip_version is 4`);
  }
  if (raMode === null && addressMode === null) return null;
  if (!enableDhcp) return invalidInput('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False');
  if (raMode !== null && addressMode !== null && raMode !== addressMode) {
    return invalidInput(
      `ipv6_ra_mode set to '${raMode}' with ipv6_address_mode set to '${addressMode}' is not valid. If both attributes are set, they must be the same value`,
    );
  }
  if (isAutoAddressMode(addressMode) && c.prefixLength !== 64) {
    return invalidInput(
      `Invalid CIDR ${c.text} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`,
    );
  }
  return null;
}

/** SLAAC and DHCPv6-stateless subnets address ports by EUI-64, not from the pools. */
export const isAutoAddressMode = (addressMode: string | null) => addressMode === 'slaac' || addressMode === 'dhcpv6-stateless';
export const isAutoAddressSubnet = (s: DataOf<'SubnetCreated'>) => s.ipVersion === 6 && isAutoAddressMode(s.ipv6AddressMode);

/** A DHCP server needs room for itself and a client. */
export function checkDhcpPrefix(c: Cidr): Rejection | null {
  if ((c.version === 4 && c.prefixLength > 30) || (c.version === 6 && c.prefixLength > 126)) {
    return invalidInput('Subnet has a prefix length that is incompatible with DHCP service enabled');
  }
  return null;
}
