import { cmp, ipsetName, type Ethertype } from '../model/rules';
import { binaryChunks, placeholders, type Sql } from '@cp/store';
import type { Stamp } from './stamp';

/**
 * Hosts that need (G, E) or hold it now (`holders`, from the set's state): after a rule naming G as remote group
 * came or went, the sets of these hosts are refreshed.
 */
export async function hostsOfSet(q: Sql, groupId: string, ethertype: Ethertype, holders: ReadonlySet<string>): Promise<Set<string>> {
  const rows = await q.all<{ host: string }>(
    `SELECT DISTINCT p.host FROM l2_sg_rules r
       JOIN l2_port_sgs ps ON ps.sg_id = r.sg_id
       JOIN l2_ports p ON p.id = ps.port_id
     WHERE r.remote_group_id = ? AND r.ethertype = ? AND p.host <> ''`,
    [groupId, ethertype],
  );
  return new Set([...rows.map((r) => r.host), ...holders]);
}

/**
 * Which sets each of these hosts needs (design.md §4: some port bound there is
 * in a group with a rule naming remote group G, ethertype E), against those it
 * holds: two queries per chunk of hosts, not two per host (a batch of port
 * bindings names hundreds). Only joining and leaving a set are recorded here: a
 * set's members live once, per group (views/set-members.ts), and the host reads
 * them with its changes.
 */
export async function refreshHostSets(q: Sql, stamp: Stamp, hosts: readonly string[]): Promise<void> {
  for (const chunk of binaryChunks([...hosts].sort(cmp), 128)) {
    const needs = await q.all<{ host: string; g: string; e: Ethertype }>(
      `SELECT DISTINCT p.host, r.remote_group_id AS g, r.ethertype AS e FROM l2_ports p
         JOIN l2_port_sgs ps ON ps.port_id = p.id
         JOIN l2_sg_rules r ON r.sg_id = ps.sg_id
       WHERE p.host IN (${placeholders(chunk.length)}) AND r.remote_group_id IS NOT NULL`,
      chunk,
    );
    const held = await q.all<{ host: string; name: string; sg_id: string; ethertype: string }>(
      `SELECT host, name, sg_id, ethertype FROM l2_host_ipsets WHERE host IN (${placeholders(chunk.length)}) AND deleted = 0`,
      chunk,
    );
    const needsOf = groupBy(needs);
    const heldBy = groupBy(held);
    for (const host of chunk) diffHostSets(stamp, host, needsOf.get(host) ?? [], heldBy.get(host) ?? []);
  }
}

function diffHostSets(
  stamp: Stamp,
  host: string,
  needs: Array<{ g: string; e: Ethertype }>,
  held: Array<{ name: string; sg_id: string; ethertype: string }>,
): void {
  // By name, in (ethertype, group) order: should two groups' ids share the 24
  // characters a name keeps, the last one gets the name (derive-all does the same).
  const wanted = new Map<string, { sgId: string; ethertype: Ethertype }>();
  for (const { g, e } of needs.sort((a, b) => cmp(a.e, b.e) || cmp(a.g, b.g))) wanted.set(ipsetName(g, e), { sgId: g, ethertype: e });
  const holding = new Map(held.map((r) => [r.name, r]));
  for (const [name, want] of wanted) {
    const row = holding.get(name);
    const was = row ? { sgId: row.sg_id, ethertype: row.ethertype } : null;
    if (!row || row.sg_id !== want.sgId || row.ethertype !== want.ethertype) stamp.hostSet(host, name, want, was);
  }
  for (const r of held) if (!wanted.has(r.name)) stamp.hostSet(host, r.name, null, { sgId: r.sg_id, ethertype: r.ethertype });
}

function groupBy<R extends { host: string }>(rows: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const list = out.get(r.host);
    if (list) list.push(r);
    else out.set(r.host, [r]);
  }
  return out;
}
