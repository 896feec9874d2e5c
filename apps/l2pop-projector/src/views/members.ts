import { HA_INTERFACE_OWNER, cmp, sortEntries, type MacIp } from '../model/rules';
import type { Sql } from '@cp/store';

/** A tunnelled network's type and segment, as its members are shown it. */
export interface NetMeta {
  type: string;
  seg: number | null;
}

/** A host taking part in a network's L2 population: its tunnel endpoint and unicast entries. */
export interface Member {
  tunnelIp: string;
  /** JSON of the sorted [mac, ip] list; '[]' for a flood-only member (HA router host, port without IPs). */
  entries: string;
}

/**
 * design.md §4, for one (network, host): the host takes part when its L2 agent has
 * a tunnel IP and it has an ACTIVE port on the (tunnelled) network, or runs an HA
 * router with an interface there. HA routers' replicated interface ports give no
 * unicast entries: hosting the router is what makes the host a (flood) member.
 */
export async function computeMember(q: Sql, networkId: string, host: string): Promise<Member | null> {
  const agents = await q.all<{ id: string; tunnel_ip: string }>(
    'SELECT id, tunnel_ip FROM l2_agents WHERE host = ? AND tunnel_ip IS NOT NULL',
    [host],
  );
  if (agents.length === 0) return null;
  // Two L2 agents on one host is a misconfiguration; pick one deterministically.
  const tunnelIp = agents.sort((a, b) => cmp(a.id, b.id))[0].tunnel_ip;
  const ports = await q.all<{ mac: string; ip: string | null }>(
    `SELECT p.mac, i.ip FROM l2_ports p LEFT JOIN l2_port_ips i ON i.port_id = p.id AND i.kind = 'fixed'
     WHERE p.network_id = ? AND p.host = ? AND p.active = 1 AND p.device_owner <> ?`,
    [networkId, host, HA_INTERFACE_OWNER],
  );
  if (ports.length === 0 && !(await runsHaRouterOn(q, networkId, host))) return null;
  const entries: MacIp[] = ports.filter((p) => p.ip !== null).map((p) => [p.mac, p.ip as string]);
  return { tunnelIp, entries: JSON.stringify(sortEntries(entries)) };
}

async function runsHaRouterOn(q: Sql, networkId: string, host: string): Promise<boolean> {
  const row = await q.get(
    `SELECT 1 AS x FROM l2_router_ifaces f
       JOIN l2_routers r ON r.id = f.router_id AND r.ha = 1
       JOIN l2_router_hosts h ON h.router_id = f.router_id AND h.host = ?
     WHERE f.network_id = ?`,
    [host, networkId],
  );
  return row !== undefined;
}

/** Hosts that might take part in a network: those with ports or HA routers on it. */
export async function candidateHosts(q: Sql, networkId: string): Promise<string[]> {
  const rows = await q.all<{ host: string }>(
    `SELECT DISTINCT host FROM l2_ports WHERE network_id = ? AND host <> ''
     UNION SELECT h.host FROM l2_router_ifaces f JOIN l2_router_hosts h ON h.router_id = f.router_id WHERE f.network_id = ?`,
    [networkId, networkId],
  );
  return rows.map((r) => r.host);
}

/** The network's current members by host. */
export async function loadMembers(q: Sql, networkId: string): Promise<Map<string, Member>> {
  const rows = await q.all<{ host: string; tunnel_ip: string; entries: string }>(
    'SELECT host, tunnel_ip, entries FROM l2_members WHERE network_id = ? AND deleted = 0',
    [networkId],
  );
  return new Map(rows.map((r) => [r.host, { tunnelIp: r.tunnel_ip, entries: r.entries }]));
}

export function sameMember(a: Member | null | undefined, b: Member | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.tunnelIp === b.tunnelIp && a.entries === b.entries;
}
