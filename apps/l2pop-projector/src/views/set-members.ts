import { ethertypeOf, ipFamily } from '../model/rules';
import type { Impact } from '../projection/impact';
import type { PortFacts } from '../projection/facts';
import type { Sql } from '@cp/store';

/**
 * Keeps each group's member IPs (design.md §4: the fixed and allowed-address-pair
 * IPs of every port in the group, whatever its host or status) as reference
 * counts, one row per (group, family, IP): a port change adds or drops only its
 * own IPs, and a set changes only when an IP's first holder comes or its last
 * one goes. Names those IPs for the batch's stamp; an IP whose last holder went
 * stays as a tombstone (refs 0) for entry deltas until compacted (views/stamp.ts).
 */
export async function adjustSetMembers(q: Sql, impact: Impact, before: PortFacts | null, after: PortFacts | null): Promise<void> {
  const was = memberships(before);
  const now = memberships(after);
  for (const [key, { groupId, ip }] of now) {
    if (was.has(key)) continue;
    const family = ipFamily(ip);
    const row = await q.get<{ refs: number }>(
      `INSERT INTO l2_set_ips (sg_id, family, ip, refs) VALUES (?, ?, ?, 1)
       ON CONFLICT (sg_id, family, ip) DO UPDATE SET refs = l2_set_ips.refs + 1 RETURNING refs`,
      [groupId, family, ip],
    );
    if (Number(row?.refs) === 1) impact.setMembers(groupId, ethertypeOf(family), ip);
  }
  for (const [key, { groupId, ip }] of was) {
    if (now.has(key)) continue;
    const family = ipFamily(ip);
    const row = await q.get<{ refs: number }>(
      'UPDATE l2_set_ips SET refs = refs - 1 WHERE sg_id = ? AND family = ? AND ip = ? RETURNING refs',
      [groupId, family, ip],
    );
    if (row && Number(row.refs) <= 0) impact.setMembers(groupId, ethertypeOf(family), ip);
  }
}

/** Each (group, IP) the port contributes: every distinct IP of it in every group of it. */
export function memberships(port: PortFacts | null): Map<string, { groupId: string; ip: string }> {
  const out = new Map<string, { groupId: string; ip: string }>();
  if (!port) return out;
  for (const groupId of port.groups) {
    for (const ip of [...port.fixed, ...port.pairs]) out.set(`${groupId}\u0000${ip}`, { groupId, ip });
  }
  return out;
}
