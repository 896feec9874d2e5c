/*
 * The agent-facing documents of GET /v1/hosts/{host}/dhcp (design.md §5): what
 * a DHCP agent on the host needs to run one DHCP server (dnsmasq) per network it
 * serves. Same scheme as the L2 and L3 documents: a snapshot, `?since=` deltas
 * where `null` removes a network, a snapshot marked `resync: true` when no delta
 * can be given.
 */

import { mergeItemChanges } from '@cp/host-feed';

export interface DhcpHostRoute {
  destination: string;
  nexthop: string;
}

/** A DHCP-enabled subnet with the options its clients get. */
export interface DhcpSubnet {
  id: string;
  ip_version: 4 | 6;
  cidr: string;
  /** Option 3 (router); null: the subnet has no gateway, clients get no default route. */
  gateway_ip: string | null;
  /** Option 6 (DNS servers); empty: the DHCP port's own address (dnsmasq answers DNS). */
  dns_nameservers: string[];
  /** Option 121 (classless static routes). */
  host_routes: DhcpHostRoute[];
  /** IPv6: `dhcpv6-stateful`, `dhcpv6-stateless`, `slaac` or null. */
  ipv6_address_mode: string | null;
  ipv6_ra_mode: string | null;
}

/** One fixed IP of a port on a DHCP-enabled subnet: a line of dnsmasq's hosts file. */
export interface DhcpHostEntry {
  port_id: string;
  mac_address: string;
  ip_address: string;
  subnet_id: string;
  /** `host-<address with dashes>`, as Neutron names hosts without DNS integration. */
  hostname: string;
  /** Extra options for this port (Neutron's `extra_dhcp_opts`). */
  extra_dhcp_opts: DhcpExtraOption[];
}

export interface DhcpExtraOption {
  opt_name: string;
  opt_value: string;
  ip_version: 4 | 6;
}

/** One network as this host's DHCP agent serves it. */
export interface DhcpNetworkDoc {
  agent_id: string;
  /** Null while the network's own events are not seen (or it was just deleted). */
  mtu: number | null;
  admin_state_up: boolean | null;
  /** Seconds (Neutron's `dhcp_lease_duration`); the serving process's setting. */
  lease_duration: number;
  /** The domain hosts are named in (Neutron's `dns_domain`). */
  dns_domain: string;
  /** This agent's DHCP port: the addresses dnsmasq listens on. Null until the port is seen. */
  port: { id: string; mac_address: string; fixed_ips: Array<{ subnet_id: string; ip_address: string }> } | null;
  subnets: DhcpSubnet[];
  /** Every fixed IP of the network's ports on its DHCP-enabled subnets, by port id then address. */
  hosts: DhcpHostEntry[];
}

export interface DhcpSnapshot {
  host: string;
  /** Opaque, monotonic per host. */
  revision: string;
  networks: Record<string, DhcpNetworkDoc>;
}

export interface DhcpResync extends DhcpSnapshot {
  since: string | null;
  resync: true;
}

/** The networks whose document changed since `since`, given whole; null: no longer served on this host. */
export interface DhcpDelta {
  host: string;
  revision: string;
  since: string;
  resync: false;
  networks: Record<string, DhcpNetworkDoc | null>;
}

export type DhcpChanges = DhcpDelta | DhcpResync;

/** Applies a change document to an agent's copy (snapshot(r0) + deltas up to r == snapshot(r)). */
export function applyDhcpChanges(local: DhcpSnapshot | null, doc: DhcpChanges | DhcpSnapshot): DhcpSnapshot {
  if (!('resync' in doc) || doc.resync) return { host: doc.host, revision: doc.revision, networks: structuredClone(doc.networks) };
  const networks = mergeItemChanges(local, doc, (copy) => copy.networks, doc.networks);
  return { host: doc.host, revision: doc.revision, networks };
}
