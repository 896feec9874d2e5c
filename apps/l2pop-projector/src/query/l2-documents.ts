import type { HostDocuments } from '@cp/host-feed';
import type { Database, Tx } from '@cp/store';
import type { IpsetView, L2Delta, L2EntryDelta, L2NetworkChange, L2NetworkView, L2Snapshot } from '../contract/l2-documents';
import { cmp, nullableNumber } from '../model/rules';
import type { DeltaAsk } from './asks';
import { entryDelta, entryDeltas } from './entry-delta';
import { localChangedSince, readLocal } from './local-ports';
import { currentRemotes, currentSets, hostChanges } from './host-changes';
import { change, remotesByNetwork, sortBy, sortKeys, type MemberRow, type NetRow, type SetRow } from './rows';
/**
 * The L2 documents of one host, read from the per-network and per-group rows
 * (the feed in libs/host-feed picks which document and reads it consistently).
 */
export class L2Documents implements HostDocuments<L2Snapshot, L2Delta | L2EntryDelta> {
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
    return { host, revision, networks, ipsets: await currentSets(this.db, tx, sets), ...(await readLocal(this.db, tx, host)) };
  }

  /** The deltas of many hosts at once, for watchers one commit woke together: the entries format only (the lists format goes host by host). */
  async deltaMany(tx: Tx | undefined, asks: DeltaAsk[], format?: string): Promise<L2EntryDelta[] | null> {
    return format === 'entries' ? entryDeltas(this.db, tx, asks) : null;
  }

  /**
   * The changes of a host's view since revision `from`: its networks and sets
   * joined or left (its own rows with seq > from), and in the networks and sets
   * it kept, what the member rows changed since (theirs with seq > from). A
   * network (re)joined since, or whose tombstones were compacted past `from`,
   * is given whole (`full`). With format 'entries', entry by entry (entry-delta.ts).
   */
  async delta(
    tx: Tx | undefined,
    host: string,
    revision: string,
    since: string,
    from: number,
    format?: string,
  ): Promise<L2Delta | L2EntryDelta> {
    if (format === 'entries') return entryDelta(this.db, tx, host, revision, since, from);
    const changes = await hostChanges(this.db, tx, host, from);
    const networks: Record<string, L2NetworkChange | null> = {};
    for (const id of changes.leftNetworks) networks[id] = null;
    const full = changes.fullNetworks;
    const remotes = await currentRemotes(this.db, tx, host, [...full.keys()]);
    for (const [networkId, n] of full) {
      networks[networkId] = { ...change(n), remotes: Object.fromEntries(remotes.get(networkId) ?? []), full: true };
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
    const refreshed = await this.db.all<SetRow>(
      `SELECT v.name, v.sg_id, v.ethertype, v.deleted FROM l2_host_ipsets v
         JOIN l2_sets s ON s.sg_id = v.sg_id AND s.ethertype = v.ethertype AND s.seq > ?
       WHERE v.host = ? AND v.deleted = 0 AND v.seq <= ?`,
      [from, host, from],
      tx,
    );
    const ipsets: Record<string, IpsetView | null> = {};
    for (const name of changes.leftSets) ipsets[name] = null;
    Object.assign(ipsets, await currentSets(this.db, tx, [...changes.joinedSets, ...refreshed]));
    const local = (await localChangedSince(this.db, tx, host, from)) ? await readLocal(this.db, tx, host) : {};
    return { host, revision, since, resync: false, networks: sortKeys(networks), ipsets: sortKeys(ipsets), ...local };
  }
}
