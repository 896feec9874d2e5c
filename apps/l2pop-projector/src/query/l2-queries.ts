import type { Database, Tx } from '../../../../libs/store/src';
import type { IpsetView, L2Changes, L2Delta, L2NetworkChange, L2NetworkView, L2Snapshot, MacIp } from '../contract/l2-documents';
import { cmp } from '../model/rules';
import { currentEpoch, formatRevision, parseRevision } from '../views/revisions';

interface HostState {
  epoch: number;
  rev: number;
  horizon: number;
}
interface IpsetRowOut {
  name: string;
  sg_id: string;
  ethertype: 'IPv4' | 'IPv6';
  members: string;
  deleted: number;
}

/** The query side of the per-host views: snapshots and deltas of one host. */
export class L2Queries {
  constructor(private readonly db: Database) {}

  snapshot(host: string): Promise<L2Snapshot> {
    return this.read(host, (tx, state) => this.snapshotIn(tx, host, state));
  }

  /** The changes since `since`, or a snapshot marked `resync: true` when they cannot be given. */
  changes(host: string, since: string | null): Promise<L2Changes> {
    return this.read(host, async (tx, state) => {
      const from = parseRevision(since);
      // Another epoch (the model was rebuilt), a revision from the future (a restored
      // backup) or one whose tombstones were compacted away: only a snapshot is exact.
      if (!from || from.epoch !== state.epoch || from.rev > state.rev || from.rev < state.horizon) {
        return { ...(await this.snapshotIn(tx, host, state)), since, resync: true };
      }
      return this.deltaIn(tx, host, state, since as string, from.rev);
    });
  }

  async revision(host: string): Promise<string> {
    const s = await this.hostState(undefined, host);
    return formatRevision(s.epoch, s.rev);
  }

  private async hostState(tx: Tx | undefined, host: string): Promise<HostState> {
    const epoch = await currentEpoch(this.db, tx);
    const row = await this.db.get<{ rev: number; horizon: number }>('SELECT rev, horizon FROM l2_host_revs WHERE host = ?', [host], tx);
    return { epoch, rev: Number(row?.rev ?? 0), horizon: Number(row?.horizon ?? 0) };
  }

  private async snapshotIn(tx: Tx | undefined, host: string, state: HostState): Promise<L2Snapshot> {
    const nets = await this.db.all<{ network_id: string; network_type: string; segmentation_id: number | null }>(
      'SELECT network_id, network_type, segmentation_id FROM l2_view_nets WHERE host = ? AND deleted = 0',
      [host],
      tx,
    );
    const fdb = await this.db.all<{ network_id: string; tunnel_ip: string; entries: string }>(
      'SELECT network_id, tunnel_ip, entries FROM l2_view_fdb WHERE host = ? AND deleted = 0',
      [host],
      tx,
    );
    const networks: Record<string, L2NetworkView> = {};
    for (const n of sortBy(nets, (n) => n.network_id)) {
      networks[n.network_id] = { network_type: n.network_type, segmentation_id: num(n.segmentation_id), flood: [], fdb: {} };
    }
    for (const f of sortBy(fdb, (f) => f.tunnel_ip)) {
      const view = networks[f.network_id];
      if (!view) continue;
      view.flood.push(f.tunnel_ip);
      const entries = JSON.parse(f.entries) as MacIp[];
      if (entries.length > 0) view.fdb[f.tunnel_ip] = entries;
    }
    const ipsets: Record<string, IpsetView> = {};
    for (const r of sortBy(await this.ipsetRows(tx, host, 'deleted = 0', []), (r) => r.name)) ipsets[r.name] = ipset(r);
    return { host, revision: formatRevision(state.epoch, state.rev), networks, ipsets };
  }

  private async deltaIn(tx: Tx | undefined, host: string, state: HostState, since: string, from: number): Promise<L2Delta> {
    const nets = await this.db.all<{ network_id: string; network_type: string; segmentation_id: number | null; deleted: number }>(
      'SELECT network_id, network_type, segmentation_id, deleted FROM l2_view_nets WHERE host = ? AND rev > ?',
      [host, from],
      tx,
    );
    const fdb = await this.db.all<{ network_id: string; tunnel_ip: string; entries: string; deleted: number }>(
      'SELECT network_id, tunnel_ip, entries, deleted FROM l2_view_fdb WHERE host = ? AND rev > ?',
      [host, from],
      tx,
    );
    const networks: Record<string, L2NetworkChange | null> = {};
    for (const n of sortBy(nets, (n) => n.network_id)) {
      networks[n.network_id] = Number(n.deleted)
        ? null
        : { network_type: n.network_type, segmentation_id: num(n.segmentation_id), remotes: {} };
    }
    for (const f of sortBy(fdb, (f) => `${f.network_id}\u0000${f.tunnel_ip}`)) {
      if (networks[f.network_id] === null) continue;
      if (!(f.network_id in networks)) {
        // Only remotes changed: the network's own row is older than `since`.
        const meta = await this.db.get<{ network_type: string; segmentation_id: number | null; deleted: number }>(
          'SELECT network_type, segmentation_id, deleted FROM l2_view_nets WHERE host = ? AND network_id = ?',
          [host, f.network_id],
          tx,
        );
        if (!meta || Number(meta.deleted)) continue;
        networks[f.network_id] = { network_type: meta.network_type, segmentation_id: num(meta.segmentation_id), remotes: {} };
      }
      networks[f.network_id]!.remotes[f.tunnel_ip] = Number(f.deleted) ? null : (JSON.parse(f.entries) as MacIp[]);
    }
    const ipsets: Record<string, IpsetView | null> = {};
    for (const r of sortBy(await this.ipsetRows(tx, host, 'rev > ?', [from]), (r) => r.name)) {
      ipsets[r.name] = Number(r.deleted) ? null : ipset(r);
    }
    return { host, revision: formatRevision(state.epoch, state.rev), since, resync: false, networks, ipsets };
  }

  private ipsetRows(tx: Tx | undefined, host: string, where: string, params: unknown[]): Promise<IpsetRowOut[]> {
    return this.db.all<IpsetRowOut>(
      `SELECT name, sg_id, ethertype, members, deleted FROM l2_view_ipsets WHERE host = ? AND ${where}`,
      [host, ...params],
      tx,
    );
  }

  /**
   * Reads a document consistently without holding a transaction: every commit
   * that changes a host's rows also bumps its revision, so if the host's state is
   * the same before and after the reads, they all saw one committed state. Readers
   * then never take part in PostgreSQL's serializable conflict checks, which could
   * otherwise abort the projector's writes. Under constant churn, a transaction.
   */
  private async read<T>(host: string, fn: (tx: Tx | undefined, state: HostState) => Promise<T>): Promise<T> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await this.hostState(undefined, host);
      const result = await fn(undefined, before);
      const after = await this.hostState(undefined, host);
      if (before.epoch === after.epoch && before.rev === after.rev && before.horizon === after.horizon) return result;
    }
    return this.db.transaction(async (tx) => fn(tx, await this.hostState(tx, host)));
  }
}

function ipset(r: IpsetRowOut): IpsetView {
  return { security_group_id: r.sg_id, ethertype: r.ethertype, members: JSON.parse(r.members) as string[] };
}

function num(v: number | string | null): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function sortBy<T>(rows: T[], key: (r: T) => string): T[] {
  return [...rows].sort((a, b) => cmp(key(a), key(b)));
}
