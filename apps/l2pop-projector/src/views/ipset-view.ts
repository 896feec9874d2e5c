import { cmp, ipsetName, uniqueSorted, type Ethertype } from '../model/rules';
import type { TxSql } from '../projection/sql';
import type { IpsetRow, ViewWriter } from './view-writer';

/**
 * Members of (group, ethertype): fixed IPs and allowed-address-pair IPs (CIDRs
 * as given, like Neutron's server) of that family of every port in the group,
 * whatever its host or status. Memoised for one event, as several hosts share a set.
 */
export class SetMembers {
  private readonly memo = new Map<string, string>();

  constructor(private readonly q: TxSql) {}

  async json(groupId: string, ethertype: Ethertype): Promise<string> {
    const key = `${ethertype}/${groupId}`;
    let members = this.memo.get(key);
    if (members === undefined) {
      const rows = await this.q.all<{ ip: string }>(
        `SELECT DISTINCT i.ip FROM l2_port_sgs ps JOIN l2_port_ips i ON i.port_id = ps.port_id
         WHERE ps.sg_id = ? AND i.family = ?`,
        [groupId, ethertype === 'IPv6' ? 6 : 4],
      );
      members = JSON.stringify(uniqueSorted(rows.map((r) => r.ip)));
      this.memo.set(key, members);
    }
    return members;
  }
}

/** Hosts needing (G, E): some port bound there is in a group with a rule whose remote group is G, ethertype E. */
async function hostsNeeding(q: TxSql, groupId: string, ethertype: Ethertype): Promise<string[]> {
  const rows = await q.all<{ host: string }>(
    `SELECT DISTINCT p.host FROM l2_sg_rules r
       JOIN l2_port_sgs ps ON ps.sg_id = r.sg_id
       JOIN l2_ports p ON p.id = ps.port_id
     WHERE r.remote_group_id = ? AND r.ethertype = ? AND p.host <> ''`,
    [groupId, ethertype],
  );
  return rows.map((r) => r.host).sort(cmp);
}

/** One set, for every host that needs it or has it. */
export async function refreshSet(q: TxSql, views: ViewWriter, members: SetMembers, groupId: string, ethertype: Ethertype): Promise<void> {
  const name = ipsetName(groupId, ethertype);
  const needing = await hostsNeeding(q, groupId, ethertype);
  const having = await q.all<IpsetRow>('SELECT host, sg_id, ethertype, members, deleted FROM l2_view_ipsets WHERE name = ?', [name]);
  const rows = new Map(having.map((r) => [r.host, r]));
  if (needing.length > 0) {
    const value = { sgId: groupId, ethertype, members: await members.json(groupId, ethertype) };
    for (const host of needing) await views.ipset(host, name, value, rows.get(host));
  }
  const needed = new Set(needing);
  for (const r of having) if (!needed.has(r.host) && r.sg_id === groupId) await views.ipset(r.host, name, null, r);
}

/** Every set of one host: after its ports moved or changed groups. */
export async function refreshHostSets(q: TxSql, views: ViewWriter, members: SetMembers, host: string): Promise<void> {
  const needs = await q.all<{ g: string; e: Ethertype }>(
    `SELECT DISTINCT r.remote_group_id AS g, r.ethertype AS e FROM l2_ports p
       JOIN l2_port_sgs ps ON ps.port_id = p.id
       JOIN l2_sg_rules r ON r.sg_id = ps.sg_id
     WHERE p.host = ? AND r.remote_group_id IS NOT NULL`,
    [host],
  );
  const having = await q.all<IpsetRow & { name: string }>(
    'SELECT host, name, sg_id, ethertype, members, deleted FROM l2_view_ipsets WHERE host = ?',
    [host],
  );
  const rows = new Map(having.map((r) => [r.name, r]));
  const wanted = new Set<string>();
  for (const { g, e } of needs.sort((a, b) => cmp(a.e, b.e) || cmp(a.g, b.g))) {
    const name = ipsetName(g, e);
    wanted.add(name);
    await views.ipset(host, name, { sgId: g, ethertype: e, members: await members.json(g, e) }, rows.get(name));
  }
  for (const r of having) if (!wanted.has(r.name)) await views.ipset(host, r.name, null, r);
}
