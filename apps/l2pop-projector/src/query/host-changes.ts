import { placeholders, type Database, type Tx } from '@cp/store';
import type { IpsetView, MacIp } from '../contract/l2-documents';
import { familyOf, uniqueSorted } from '../model/rules';
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

export async function hostChanges(db: Database, tx: Tx | undefined, host: string, from: number): Promise<HostChanges> {
  const leftNetworks: string[] = [];
  const fullNetworks = new Map<string, NetRow>();
  for (const n of await db.all<NetRow>(
    'SELECT network_id, network_type, segmentation_id, deleted FROM l2_host_nets WHERE host = ? AND seq > ?',
    [host, from],
    tx,
  )) {
    if (Number(n.deleted)) leftNetworks.push(n.network_id);
    else fullNetworks.set(n.network_id, n);
  }
  const compacted = await db.all<NetRow>(
    `SELECT v.network_id, v.network_type, v.segmentation_id, v.deleted FROM l2_host_nets v
       JOIN l2_net_horizons h ON h.network_id = v.network_id AND h.horizon > ?
     WHERE v.host = ? AND v.deleted = 0 AND v.seq <= ?`,
    [from, host, from],
    tx,
  );
  for (const n of compacted) fullNetworks.set(n.network_id, n);
  const sets = await db.all<SetRow>(
    'SELECT name, sg_id, ethertype, deleted FROM l2_host_ipsets WHERE host = ? AND seq > ?',
    [host, from],
    tx,
  );
  return {
    leftNetworks,
    fullNetworks,
    leftSets: sets.filter((r) => Number(r.deleted)).map((r) => r.name),
    joinedSets: sets.filter((r) => !Number(r.deleted)),
  };
}

/** Per network given, its remotes as they are now (the host itself left out). */
export async function currentRemotes(
  db: Database,
  tx: Tx | undefined,
  host: string,
  networkIds: string[],
): Promise<Map<string, Map<string, MacIp[]>>> {
  if (networkIds.length === 0) return new Map();
  const members = await db.all<MemberRow>(
    `SELECT network_id, tunnel_ip, host, entries FROM l2_members
     WHERE network_id IN (${placeholders(networkIds.length)}) AND deleted = 0 AND host <> ?`,
    [...networkIds, host],
    tx,
  );
  return remotesByNetwork(members);
}

/** The live sets given, by name, with their group's members of the set's family. */
export async function currentSets(db: Database, tx: Tx | undefined, rows: SetRow[]): Promise<Record<string, IpsetView>> {
  const out: Record<string, IpsetView> = {};
  for (const r of sortBy(rows, (r) => r.name)) {
    const ips = await db.all<{ ip: string }>(
      'SELECT ip FROM l2_set_ips WHERE sg_id = ? AND family = ? AND refs > 0',
      [r.sg_id, familyOf(r.ethertype)],
      tx,
    );
    out[r.name] = { security_group_id: r.sg_id, ethertype: r.ethertype, members: uniqueSorted(ips.map((i) => i.ip)) };
  }
  return out;
}
