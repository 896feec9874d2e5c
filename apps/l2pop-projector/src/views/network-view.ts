import { cmp, isTunnelled, sortEntries, type MacIp } from '../model/rules';
import { placeholders, type TxSql } from '../projection/sql';
import { candidateHosts, computeMember, loadMembers, saveMember, sameMember, type Member } from './members';
import type { FdbRow, NetRow, ViewWriter } from './view-writer';

interface Change {
  host: string;
  before: Member | undefined;
  after: Member | null;
}
export type ByTunnel = Map<string, Array<[host: string, entries: string]>>;

/**
 * Recomputes a network's membership for the hinted hosts, then fans the changes
 * out to the per-host views of the network's members only: a host that joined
 * gets its whole view of the network, a host that left gets tombstones, and the
 * others get just the rows of the remote tunnel IPs that changed. So a port going
 * up costs work in the number of hosts on its network, not in the cloud's size.
 */
export async function refreshNetwork(q: TxSql, views: ViewWriter, networkId: string, hint: Set<string> | 'all'): Promise<void> {
  const net = await q.get<{ network_type: string; segmentation_id: number | null }>(
    'SELECT network_type, segmentation_id FROM l2_networks WHERE id = ?',
    [networkId],
  );
  const meta = net && isTunnelled(net.network_type) ? { type: net.network_type, seg: nullableNumber(net.segmentation_id) } : null;
  const old = await loadMembers(q, networkId);
  const candidates = hint === 'all' ? new Set([...(await candidateHosts(q, networkId)), ...old.keys()]) : hint;

  const next = new Map(old);
  const changes: Change[] = [];
  for (const host of [...candidates].sort(cmp)) {
    const after = meta ? await computeMember(q, networkId, host) : null;
    const before = old.get(host);
    if (sameMember(before, after)) continue;
    changes.push({ host, before, after });
    await saveMember(q, networkId, host, after);
    if (after) next.set(host, after);
    else next.delete(host);
  }
  // Network events: its type or segment may differ from what members were shown
  // (ids are UUIDs and the type is fixed in practice; recomputing is cheap and exact).
  if (hint === 'all' && meta) {
    for (const host of [...next.keys()].sort(cmp)) if (old.has(host)) await views.net(host, networkId, meta, await netRow(q, host, networkId));
  }
  if (changes.length === 0) return;

  const byTunnel = indexByTunnel(next);
  for (const host of [...new Set([...old.keys(), ...next.keys()])].sort(cmp)) {
    if (!next.has(host) || !meta) {
      await dropHost(q, views, host, networkId);
    } else if (!old.has(host)) {
      await writeHost(q, views, host, networkId, meta, byTunnel, null);
    } else {
      const tunnels = new Set<string>();
      for (const c of changes) {
        if (c.host === host) continue;
        if (c.before) tunnels.add(c.before.tunnelIp);
        if (c.after) tunnels.add(c.after.tunnelIp);
      }
      if (tunnels.size > 0) await writeHost(q, views, host, networkId, meta, byTunnel, tunnels);
    }
  }
}

export function indexByTunnel(members: Map<string, Member>): ByTunnel {
  const byTunnel: ByTunnel = new Map();
  for (const [host, m] of members) {
    const list = byTunnel.get(m.tunnelIp) ?? [];
    list.push([host, m.entries]);
    byTunnel.set(m.tunnelIp, list);
  }
  return byTunnel;
}

/** What `host` sees behind tunnel IP `t`: the entries of every other member there; null when none. */
export function remoteEntries(byTunnel: ByTunnel, t: string, host: string): string | null {
  const behind = byTunnel.get(t) ?? [];
  if (behind.length === 1) return behind[0][0] === host ? null : behind[0][1];
  const others = behind.filter(([h]) => h !== host);
  if (others.length === 0) return null;
  if (others.length === 1) return others[0][1];
  // Several hosts behind one tunnel IP (a misconfiguration, but possible): merge their entries.
  const merged = others.flatMap(([, e]) => JSON.parse(e) as MacIp[]);
  return JSON.stringify(sortEntries(merged));
}

async function writeHost(
  q: TxSql,
  views: ViewWriter,
  host: string,
  networkId: string,
  meta: { type: string; seg: number | null },
  byTunnel: ByTunnel,
  only: Set<string> | null,
): Promise<void> {
  const tunnels = only ? [...only] : [...byTunnel.keys()];
  const existing = await fdbRows(q, host, networkId, only ? tunnels : null);
  if (!only) {
    await views.net(host, networkId, meta, await netRow(q, host, networkId));
    for (const t of existing.keys()) if (!byTunnel.has(t)) tunnels.push(t);
  }
  for (const t of tunnels.sort(cmp)) await views.fdb(host, networkId, t, remoteEntries(byTunnel, t, host), existing.get(t));
}

async function dropHost(q: TxSql, views: ViewWriter, host: string, networkId: string): Promise<void> {
  const rows = await fdbRows(q, host, networkId, null);
  for (const [t, row] of [...rows].sort((a, b) => cmp(a[0], b[0]))) await views.fdb(host, networkId, t, null, row);
  await views.net(host, networkId, null, await netRow(q, host, networkId));
}

async function fdbRows(q: TxSql, host: string, networkId: string, tunnels: string[] | null): Promise<Map<string, FdbRow>> {
  if (tunnels && tunnels.length === 0) return new Map();
  const rows = await q.all<FdbRow>(
    `SELECT tunnel_ip, entries, deleted FROM l2_view_fdb WHERE host = ? AND network_id = ?` +
      (tunnels ? ` AND tunnel_ip IN (${placeholders(tunnels.length)})` : ''),
    [host, networkId, ...(tunnels ?? [])],
  );
  return new Map(rows.map((r) => [r.tunnel_ip, r]));
}

function netRow(q: TxSql, host: string, networkId: string): Promise<NetRow | undefined> {
  return q.get<NetRow>('SELECT network_type, segmentation_id, deleted FROM l2_view_nets WHERE host = ? AND network_id = ?', [host, networkId]);
}

export function nullableNumber(v: number | string | null): number | null {
  return v === null || v === undefined ? null : Number(v);
}
