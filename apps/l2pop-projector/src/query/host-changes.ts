import { inChunks, placeholders, type Database, type Tx } from '@cp/store';
import type { IpsetView, MacIp } from '../contract/l2-documents';
import { familyOf, uniqueSorted } from '../model/rules';
import { askTable, byAsk, type DeltaAsk } from './asks';
import { remotesByNetwork, sortBy, type MemberRow, type NetRow, type SetRow } from './rows';

/**
 * What both delta formats share: the networks and sets a host joined or left
 * since its revision `from` (its own rows with seq > from), and those it kept
 * but whose old removals were compacted away (given whole, like a join).
 */
export interface HostChanges {
  /** Networks the host left. */
  leftNetworks: string[];
  /** Networks given whole: (re)joined, or compacted past `from`. */
  fullNetworks: Map<string, NetRow>;
  /** Sets the host no longer holds, by name. */
  leftSets: string[];
  /** Sets the host (re)joined. */
  joinedSets: SetRow[];
}

type Asked<R> = R & { i: number };

/** `HostChanges` of each ask, in three queries for all of them. */
export async function hostChangesMany(
  db: Database,
  tx: Tx | undefined,
  asks: readonly Pick<DeltaAsk, 'host' | 'from'>[],
): Promise<HostChanges[]> {
  const q = askTable(asks);
  const own = byAsk(
    asks.length,
    await db.all<Asked<NetRow>>(
      `${q.sql} SELECT q.i, v.network_id, v.network_type, v.segmentation_id, v.deleted FROM q
         JOIN l2_host_nets v ON v.host = q.h AND v.seq > q.f`,
      q.params,
      tx,
    ),
  );
  const compacted = byAsk(
    asks.length,
    await db.all<Asked<NetRow>>(
      `${q.sql} SELECT q.i, v.network_id, v.network_type, v.segmentation_id, v.deleted FROM q
         JOIN l2_host_nets v ON v.host = q.h AND v.deleted = 0 AND v.seq <= q.f
         JOIN l2_net_horizons z ON z.network_id = v.network_id AND z.horizon > q.f`,
      q.params,
      tx,
    ),
  );
  const sets = byAsk(
    asks.length,
    await db.all<Asked<SetRow>>(
      `${q.sql} SELECT q.i, v.name, v.sg_id, v.ethertype, v.deleted FROM q JOIN l2_host_ipsets v ON v.host = q.h AND v.seq > q.f`,
      q.params,
      tx,
    ),
  );
  return asks.map((_, i) => {
    const fullNetworks = new Map<string, NetRow>();
    const leftNetworks: string[] = [];
    for (const n of own[i]) {
      if (Number(n.deleted)) leftNetworks.push(n.network_id);
      else fullNetworks.set(n.network_id, n);
    }
    for (const n of compacted[i]) fullNetworks.set(n.network_id, n);
    return {
      leftNetworks,
      fullNetworks,
      leftSets: sets[i].filter((r) => Number(r.deleted)).map((r) => r.name),
      joinedSets: sets[i].filter((r) => !Number(r.deleted)),
    };
  });
}

export async function hostChanges(db: Database, tx: Tx | undefined, host: string, from: number): Promise<HostChanges> {
  return (await hostChangesMany(db, tx, [{ host, from }]))[0];
}

/** Per ask, per network it names: its remotes as they are now (the ask's host left out). One query per 500 networks for all asks. */
export async function currentRemotesMany(
  db: Database,
  tx: Tx | undefined,
  wanted: readonly { host: string; networkIds: readonly string[] }[],
): Promise<Map<string, Map<string, MacIp[]>>[]> {
  const ids = [...new Set(wanted.flatMap((w) => w.networkIds))];
  const members = await inChunks(ids, (chunk) =>
    db.all<MemberRow>(
      `SELECT network_id, tunnel_ip, host, entries FROM l2_members WHERE network_id IN (${placeholders(chunk.length)}) AND deleted = 0`,
      chunk,
      tx,
    ),
  );
  const byNetwork = new Map<string, MemberRow[]>();
  for (const m of members) {
    const rows = byNetwork.get(m.network_id);
    if (rows) rows.push(m);
    else byNetwork.set(m.network_id, [m]);
  }
  return wanted.map((w) => remotesByNetwork(w.networkIds.flatMap((id) => (byNetwork.get(id) ?? []).filter((m) => m.host !== w.host))));
}

/** Per network given, its remotes as they are now (the host itself left out). */
export async function currentRemotes(
  db: Database,
  tx: Tx | undefined,
  host: string,
  networkIds: string[],
): Promise<Map<string, Map<string, MacIp[]>>> {
  if (networkIds.length === 0) return new Map();
  return (await currentRemotesMany(db, tx, [{ host, networkIds }]))[0];
}

/** The members of each (group, family) named, in one query per 400 sets. */
export async function setMembers(
  db: Database,
  tx: Tx | undefined,
  sets: readonly { sg_id: string; ethertype: string }[],
): Promise<Map<string, string[]>> {
  const keys = [...new Map(sets.map((s) => [setKey(s), s])).values()];
  const out = new Map<string, string[]>(keys.map((s) => [setKey(s), []]));
  for (let at = 0; at < keys.length; at += 400) {
    const chunk = keys.slice(at, at + 400);
    const rows = await db.all<{ sg_id: string; family: number; ip: string }>(
      `WITH s(sg, fam) AS (VALUES ${chunk.map(() => '(CAST(? AS TEXT), CAST(? AS INTEGER))').join(', ')})
       SELECT i.sg_id, i.family, i.ip FROM s JOIN l2_set_ips i ON i.sg_id = s.sg AND i.family = s.fam AND i.refs > 0`,
      chunk.flatMap((s) => [s.sg_id, familyOf(s.ethertype)]),
      tx,
    );
    for (const r of rows) out.get(`${r.sg_id}\u0000${Number(r.family)}`)!.push(r.ip);
  }
  return out;
}

export const setKey = (s: { sg_id: string; ethertype: string }): string => `${s.sg_id}\u0000${familyOf(s.ethertype)}`;

/** The live sets given, by name, with their group's members of the set's family (`members` from setMembers). */
export function setViews(rows: readonly SetRow[], members: ReadonlyMap<string, string[]>): Record<string, IpsetView> {
  const out: Record<string, IpsetView> = {};
  for (const r of sortBy([...rows], (r) => r.name)) {
    out[r.name] = { security_group_id: r.sg_id, ethertype: r.ethertype, members: uniqueSorted(members.get(setKey(r)) ?? []) };
  }
  return out;
}

/** The live sets given, by name, with their group's members of the set's family. */
export async function currentSets(db: Database, tx: Tx | undefined, rows: SetRow[]): Promise<Record<string, IpsetView>> {
  return setViews(rows, await setMembers(db, tx, rows));
}
