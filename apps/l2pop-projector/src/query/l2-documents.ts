import type { HostDocuments } from '@cp/host-feed';
import { placeholders, type Database, type Tx } from '@cp/store';
import type { IpsetView, L2Delta, L2NetworkChange, L2NetworkView, L2Snapshot, MacIp } from '../contract/l2-documents';
import { cmp, nullableNumber, sortEntries, uniqueSorted } from '../model/rules';
import { localChangedSince, readLocal } from './local-ports';
interface NetRow {
  network_id: string;
  network_type: string;
  segmentation_id: number | null;
  deleted: number;
}
interface MemberRow {
  network_id: string;
  tunnel_ip: string;
  host: string;
  entries: string;
}
interface SetRow {
  name: string;
  sg_id: string;
  ethertype: 'IPv4' | 'IPv6';
  deleted: number;
}

/**
 * The L2 documents of one host, read from the per-network and per-group rows
 * (the feed in libs/host-feed picks which document and reads it consistently).
 */
export class L2Documents implements HostDocuments<L2Snapshot, L2Delta> {
  constructor(private readonly db: Database) {}

  async snapshot(tx: Tx | undefined, host: string, revision: string): Promise<L2Snapshot> {
    const nets = await this.db.all<NetRow>(
      'SELECT network_id, network_type, segmentation_id, deleted FROM l2_host_nets WHERE host = ? AND deleted = 0',
      [host],
      tx,
    );
    const members = await this.db.all<MemberRow>(
      `SELECT m.network_id, m.tunnel_ip, m.host, m.entries FROM l2_host_nets v
         JOIN l2_members m ON m.network_id = v.network_id AND m.deleted = 0
       WHERE v.host = ? AND v.deleted = 0 AND m.host <> ?`,
      [host, host],
      tx,
    );
    const remotes = remotesByNetwork(members);
    const networks: Record<string, L2NetworkView> = {};
    for (const n of sortBy(nets, (n) => n.network_id)) {
      const view: L2NetworkView = { network_type: n.network_type, segmentation_id: nullableNumber(n.segmentation_id), flood: [], fdb: {} };
      for (const [tunnelIp, entries] of [...(remotes.get(n.network_id) ?? [])].sort((a, b) => cmp(a[0], b[0]))) {
        view.flood.push(tunnelIp);
        if (entries.length > 0) view.fdb[tunnelIp] = entries;
      }
      networks[n.network_id] = view;
    }
    const sets = await this.db.all<SetRow>(
      'SELECT name, sg_id, ethertype, deleted FROM l2_host_ipsets WHERE host = ? AND deleted = 0',
      [host],
      tx,
    );
    return { host, revision, networks, ipsets: await this.ipsets(tx, sets), ...(await readLocal(this.db, tx, host)) };
  }

  /**
   * The changes of a host's view since revision `from`: its networks and sets
   * joined or left (its own rows with seq > from), and in the networks and sets
   * it kept, what the member rows changed since (theirs with seq > from). A
   * network (re)joined since, or whose tombstones were compacted past `from`,
   * is given whole (`full`).
   */
  async delta(tx: Tx | undefined, host: string, revision: string, since: string, from: number): Promise<L2Delta> {
    const networks: Record<string, L2NetworkChange | null> = {};
    const full = new Map<string, NetRow>();
    for (const n of await this.db.all<NetRow>(
      'SELECT network_id, network_type, segmentation_id, deleted FROM l2_host_nets WHERE host = ? AND seq > ?',
      [host, from],
      tx,
    )) {
      if (Number(n.deleted)) networks[n.network_id] = null;
      else full.set(n.network_id, n);
    }
    const compacted = await this.db.all<NetRow>(
      `SELECT v.network_id, v.network_type, v.segmentation_id, v.deleted FROM l2_host_nets v
         JOIN l2_net_horizons h ON h.network_id = v.network_id AND h.horizon > ?
       WHERE v.host = ? AND v.deleted = 0 AND v.seq <= ?`,
      [from, host, from],
      tx,
    );
    for (const n of compacted) full.set(n.network_id, n);
    if (full.size > 0) {
      const members = await this.db.all<MemberRow>(
        `SELECT network_id, tunnel_ip, host, entries FROM l2_members
         WHERE network_id IN (${placeholders(full.size)}) AND deleted = 0 AND host <> ?`,
        [...full.keys(), host],
        tx,
      );
      const remotes = remotesByNetwork(members);
      for (const [networkId, n] of full) {
        networks[networkId] = { ...change(n), remotes: Object.fromEntries(remotes.get(networkId) ?? []), full: true };
      }
    }
    // Kept networks: the remotes behind which some member row changed, as they are now (null: gone).
    const changed = await this.db.all<NetRow & { tunnel_ip: string }>(
      `SELECT DISTINCT v.network_id, v.network_type, v.segmentation_id, v.deleted, m.tunnel_ip FROM l2_host_nets v
         JOIN l2_members m ON m.network_id = v.network_id AND m.seq > ?
       WHERE v.host = ? AND v.deleted = 0 AND v.seq <= ? AND m.host <> ?`,
      [from, host, from, host],
      tx,
    );
    for (const c of sortBy(changed, (c) => `${c.network_id}\u0000${c.tunnel_ip}`)) {
      if (full.has(c.network_id)) continue;
      const now = await this.db.all<MemberRow>(
        'SELECT network_id, tunnel_ip, host, entries FROM l2_members WHERE network_id = ? AND tunnel_ip = ? AND deleted = 0 AND host <> ?',
        [c.network_id, c.tunnel_ip, host],
        tx,
      );
      const view = (networks[c.network_id] ??= { ...change(c), remotes: {} });
      view.remotes[c.tunnel_ip] = remotesByNetwork(now).get(c.network_id)?.get(c.tunnel_ip) ?? null;
    }

    // Sets joined or left, then kept sets whose members changed: each given whole.
    const sets = await this.db.all<SetRow>(
      'SELECT name, sg_id, ethertype, deleted FROM l2_host_ipsets WHERE host = ? AND seq > ?',
      [host, from],
      tx,
    );
    const refreshed = await this.db.all<SetRow>(
      `SELECT v.name, v.sg_id, v.ethertype, v.deleted FROM l2_host_ipsets v
         JOIN l2_sets s ON s.sg_id = v.sg_id AND s.ethertype = v.ethertype AND s.seq > ?
       WHERE v.host = ? AND v.deleted = 0 AND v.seq <= ?`,
      [from, host, from],
      tx,
    );
    const ipsets: Record<string, IpsetView | null> = {};
    for (const r of sets) if (Number(r.deleted)) ipsets[r.name] = null;
    Object.assign(ipsets, await this.ipsets(tx, [...sets.filter((r) => !Number(r.deleted)), ...refreshed]));
    const local = (await localChangedSince(this.db, tx, host, from)) ? await readLocal(this.db, tx, host) : {};
    return { host, revision, since, resync: false, networks: sortKeys(networks), ipsets: sortKeys(ipsets), ...local };
  }

  /** The live sets given, by name, with their group's members of the set's family. */
  private async ipsets(tx: Tx | undefined, rows: SetRow[]): Promise<Record<string, IpsetView>> {
    const out: Record<string, IpsetView> = {};
    for (const r of sortBy(rows, (r) => r.name)) {
      const ips = await this.db.all<{ ip: string }>(
        'SELECT ip FROM l2_set_ips WHERE sg_id = ? AND family = ?',
        [r.sg_id, r.ethertype === 'IPv6' ? 6 : 4],
        tx,
      );
      out[r.name] = { security_group_id: r.sg_id, ethertype: r.ethertype, members: uniqueSorted(ips.map((i) => i.ip)) };
    }
    return out;
  }
}

/**
 * Per network, per remote tunnel IP: the entries of the members behind it. Two
 * hosts behind one tunnel IP is a misconfiguration, but possible: their entries
 * are merged.
 */
function remotesByNetwork(rows: MemberRow[]): Map<string, Map<string, MacIp[]>> {
  const out = new Map<string, Map<string, MacIp[]>>();
  const shared = new Set<string>();
  for (const r of rows) {
    let remotes = out.get(r.network_id);
    if (!remotes) out.set(r.network_id, (remotes = new Map<string, MacIp[]>()));
    const entries = JSON.parse(r.entries) as MacIp[];
    const before = remotes.get(r.tunnel_ip);
    if (before) shared.add(`${r.network_id}\u0000${r.tunnel_ip}`);
    remotes.set(r.tunnel_ip, before ? [...before, ...entries] : entries);
  }
  for (const key of shared) {
    const [networkId, tunnelIp] = key.split('\u0000');
    const remotes = out.get(networkId)!;
    remotes.set(tunnelIp, sortEntries(remotes.get(tunnelIp)!));
  }
  return out;
}

function change(n: NetRow): { network_type: string; segmentation_id: number | null } {
  return { network_type: n.network_type, segmentation_id: nullableNumber(n.segmentation_id) };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => cmp(a, b)));
}

function sortBy<T>(rows: T[], key: (r: T) => string): T[] {
  return [...rows].sort((a, b) => cmp(key(a), key(b)));
}
