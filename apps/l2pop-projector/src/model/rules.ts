import { TUNNELLED_TYPES, type NetworkType } from '@cp/events';

/** HA routers' replicated interface ports: their MAC moves with VRRP, so no unicast entries (design.md §4). */
export const HA_INTERFACE_OWNER = 'network:ha_router_replicated_interface';

export function isTunnelled(networkType: string | null | undefined): boolean {
  return TUNNELLED_TYPES.includes(networkType as NetworkType);
}

/*
 * Neutron's agent names a set `N` + ethertype + group id, cut to 29 characters:
 * ipset names may be 31 long and the agent swaps in a `-n` suffixed copy
 * (neutron/agent/linux/ipset_manager.py: IPSET_NAME_MAX_LENGTH = 31 - len('-n')).
 */
export const IPSET_NAME_MAX_LENGTH = 29;

export type Ethertype = 'IPv4' | 'IPv6';
export const ETHERTYPES: readonly Ethertype[] = ['IPv4', 'IPv6'];

export function ipsetName(securityGroupId: string, ethertype: Ethertype): string {
  return `N${ethertype}${securityGroupId}`.slice(0, IPSET_NAME_MAX_LENGTH);
}

/**
 * IP version of an address or CIDR, as netaddr.IPNetwork(ip).version decides in
 * Neutron's server when it sorts member IPs by ethertype.
 */
export function ipFamily(ipOrCidr: string): 4 | 6 {
  return ipOrCidr.includes(':') ? 6 : 4;
}

export function ethertypeOf(family: 4 | 6): Ethertype {
  return family === 6 ? 'IPv6' : 'IPv4';
}

/** The `family` column of a set's member rows (l2_set_ips) for its ethertype. */
export function familyOf(ethertype: string): 4 | 6 {
  return ethertype === 'IPv6' ? 6 : 4;
}

export type MacIp = [mac: string, ip: string];

/** Canonical order for FDB entries, so equal sets serialise (and compare) equally. */
export function sortEntries(entries: MacIp[]): MacIp[] {
  return [...entries].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(cmp);
}

/** Drivers may give an integer column as a string (PostgreSQL bigint) or null. */
export function nullableNumber(v: number | string | null | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
