/*
 * The agent-facing documents of GET /v1/hosts/{host}/l3 (design.md §5). Same
 * scheme as the L2 documents: a snapshot, `?since=` deltas where `null` removes
 * an entry, a snapshot marked `resync: true` when no delta can be given.
 */

import { mergeItemChanges } from '@cp/host-feed';

export type HaState = 'active' | 'standby' | 'fault' | 'unknown';

export interface L3Interface {
  port_id: string;
  network_id: string;
  /** Subnets of the interface; cidr/gateway are null until the subnet's events are seen. */
  subnets: Array<{ id: string; cidr: string | null; gateway_ip: string | null }>;
}

export interface L3Gateway {
  network_id: string;
  port_id: string;
  enable_snat: boolean;
  external_fixed_ips: Array<{ subnet_id: string; ip_address: string }>;
}

export interface L3FloatingIp {
  id: string;
  floating_ip_address: string;
  fixed_ip_address: string;
  port_id: string;
}

/** One router as one host's L3 agent runs it: an HA instance (keepalived, VRID) or a legacy router. */
export interface L3RouterDoc {
  /** An HA instance; false for a legacy router (no VRID, no HA port, state always active). */
  ha: boolean;
  /** Router attributes; null while the router's own events are not seen (or it was just deleted). */
  project_id: string | null;
  name: string | null;
  admin_state_up: boolean | null;
  ha_network_id: string | null;
  ha_cidr: string | null;
  vrid: number | null;
  agent_id: string;
  /** keepalived priority (Neutron: 50 on every instance, nopreempt). */
  priority: number;
  /** What this host's agent last reported; 'standby' until it reports. */
  state: HaState;
  /** This host's HA port on the HA network (null until the port's events are seen). */
  ha_port: { id: string; mac_address: string | null; ip_address: string | null } | null;
  interfaces: L3Interface[];
  gateway: L3Gateway | null;
  /** The NAT the router does for floating IPs: each floating address to the fixed IP behind it (DNAT in, SNAT out). */
  floating_ips: L3FloatingIp[];
  /**
   * The authoritative active host: the first still reporting active (the
   * router's ports are bound there). An agent reporting active while another
   * host is named here must go standby.
   */
  active_host: string | null;
  /** More than one host reports active for this router. */
  split_brain: boolean;
}

export interface L3Snapshot {
  host: string;
  /** Opaque, monotonic per host. */
  revision: string;
  routers: Record<string, L3RouterDoc>;
}

export interface L3Resync extends L3Snapshot {
  since: string | null;
  resync: true;
}

/** The routers whose document changed since `since`, given whole; null: no longer on this host. */
export interface L3Delta {
  host: string;
  revision: string;
  since: string;
  resync: false;
  routers: Record<string, L3RouterDoc | null>;
}

export type L3Changes = L3Delta | L3Resync;

/** Applies a change document to an agent's copy (snapshot(r0) + deltas up to r == snapshot(r)). */
export function applyL3Changes(local: L3Snapshot | null, doc: L3Changes | L3Snapshot): L3Snapshot {
  if (!('resync' in doc) || doc.resync) return { host: doc.host, revision: doc.revision, routers: structuredClone(doc.routers) };
  const routers = mergeItemChanges(local, doc, (copy) => copy.routers, doc.routers);
  return { host: doc.host, revision: doc.revision, routers };
}
