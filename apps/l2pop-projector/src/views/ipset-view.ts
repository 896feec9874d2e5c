import { cmp, ipsetName, uniqueSorted, type Ethertype } from '../model/rules';
import { placeholders, type TxSql } from '../projection/sql';
import type { IpsetRow, ViewWriter } from './view-writer';

/**
 * Members of (group, ethertype): fixed IPs and allowed-address-pair IPs (CIDRs
 * as given, like Neutron's server) of that family of every port in the group,
 * whatever its host or status. Memoised for one batch, as several hosts share a set.
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

/*
 * Invariant the two refreshes below rely on: after every batch, each live row of
 * a set (name, group G, ethertype E) holds members(G, E) as of that batch. The
 * members change only through events that name the group (a port joining or
 * leaving it, or changing IPs: Impact.group), and refreshSet then rewrites every
 * live row of the set; a host that newly needs a set gets the current members.
 * So one live row tells whether a set's members changed, and a host that keeps a
 * set keeps an up-to-date row: the big lists need not be read back per host.
 * Within a batch, refreshSet runs before refreshHostSets, so the row it looks at
 * is still as the previous batch left it.
 */

/** One set, for every host that needs it or has it. */
export async function refreshSet(q: TxSql, views: ViewWriter, members: SetMembers, groupId: string, ethertype: Ethertype): Promise<void> {
  const name = ipsetName(groupId, ethertype);
  const needing = await hostsNeeding(q, groupId, ethertype);
  const needed = new Set(needing);
  if (needing.length > 0) {
    const value = { sgId: groupId, ethertype, members: await members.json(groupId, ethertype) };
    const live = await q.get<{ members: string }>(
      'SELECT members FROM l2_view_ipsets WHERE name = ? AND sg_id = ? AND deleted = 0 LIMIT 1',
      [name, groupId],
    );
    if (live === undefined || live.members !== value.members) {
      // New members (or no live row): every host needing the set gets a new row.
      for (const host of needing) await views.ipset(host, name, value, undefined);
    } else {
      // Same members: only hosts without a live row need one (every live row is current).
      const rows = await setRows(q, name, needing);
      for (const host of needing) await views.ipset(host, name, value, rows.get(host));
    }
  }
  // Hosts with a row of the set that no longer need it: host and group come before the
  // members in the row, so finding them reads no list; only those rows are looked at.
  const holders = await q.all<{ host: string }>('SELECT host FROM l2_view_ipsets WHERE name = ? AND sg_id = ?', [name, groupId]);
  const leaving = holders.filter((r) => !needed.has(r.host)).map((r) => r.host);
  if (leaving.length === 0) return;
  const rows = await setRows(q, name, leaving);
  for (const host of leaving) await views.ipset(host, name, null, rows.get(host));
}

/** The rows of set `name` of some hosts, marked `same` (live rows hold the current members). */
async function setRows(q: TxSql, name: string, hosts: string[]): Promise<Map<string, IpsetRow>> {
  const rows = new Map<string, IpsetRow>();
  for (let i = 0; i < hosts.length; i += 500) {
    const chunk = hosts.slice(i, i + 500);
    const found = await q.all<IpsetRow>(
      `SELECT host, sg_id, ethertype, deleted, 1 AS same FROM l2_view_ipsets WHERE name = ? AND host IN (${placeholders(chunk.length)})`,
      [name, ...chunk],
    );
    for (const r of found) rows.set(r.host, r);
  }
  return rows;
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
    'SELECT host, name, sg_id, ethertype, deleted, 1 AS same FROM l2_view_ipsets WHERE host = ?',
    [host],
  );
  const rows = new Map(having.map((r) => [r.name, r]));
  const wanted = new Set<string>();
  for (const { g, e } of needs.sort((a, b) => cmp(a.e, b.e) || cmp(a.g, b.g))) {
    const name = ipsetName(g, e);
    wanted.add(name);
    const row = rows.get(name);
    // A set the host keeps is up to date (see above); only a new one needs its members.
    if (row && Number(row.deleted) === 0 && row.sg_id === g && row.ethertype === e) continue;
    await views.ipset(host, name, { sgId: g, ethertype: e, members: await members.json(g, e) }, row);
  }
  for (const r of having) if (!wanted.has(r.name)) await views.ipset(host, r.name, null, r);
}
