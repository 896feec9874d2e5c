import type { TxSql } from '../projection/sql';
import type { RevTracker } from './revisions';

export interface NetRow {
  network_type: string;
  segmentation_id: number | null;
  deleted: number;
}
export interface FdbRow {
  tunnel_ip: string;
  entries: string;
  deleted: number;
}
export interface IpsetRow {
  host: string;
  sg_id: string;
  ethertype: string;
  /** The stored members, or instead `same`: whether they equal the value being written (compared in SQL). */
  members?: string;
  same?: number;
  deleted: number;
}

const alive = (row: { deleted: number } | undefined): boolean => row !== undefined && Number(row.deleted) === 0;

/**
 * Writes per-host view rows only when their value differs from what is stored:
 * an unchanged value keeps its revision, a vanished one becomes a tombstone
 * stamped with the host's next revision (so `since` queries can report it).
 */
export class ViewWriter {
  constructor(
    private readonly q: TxSql,
    private readonly revs: RevTracker,
  ) {}

  async net(host: string, networkId: string, value: { type: string; seg: number | null } | null, row: NetRow | undefined): Promise<void> {
    if (value === null) {
      if (!alive(row)) return;
      const rev = await this.revs.revFor(host);
      await this.q.run('UPDATE l2_view_nets SET deleted = 1, rev = ? WHERE host = ? AND network_id = ?', [rev, host, networkId]);
      return;
    }
    if (alive(row) && row!.network_type === value.type && nullableEq(row!.segmentation_id, value.seg)) return;
    const rev = await this.revs.revFor(host);
    await this.q.run(
      `INSERT INTO l2_view_nets (host, network_id, network_type, segmentation_id, rev, deleted) VALUES (?, ?, ?, ?, ?, 0)
       ON CONFLICT (host, network_id) DO UPDATE SET network_type = excluded.network_type,
         segmentation_id = excluded.segmentation_id, rev = excluded.rev, deleted = 0`,
      [host, networkId, value.type, value.seg, rev],
    );
  }

  /** `entries`: JSON of the sorted [mac, ip] list ('[]' for flood-only), or null to remove the remote. */
  async fdb(host: string, networkId: string, tunnelIp: string, entries: string | null, row: FdbRow | undefined): Promise<void> {
    if (entries === null) {
      if (!alive(row)) return;
      const rev = await this.revs.revFor(host);
      await this.q.run(
        `UPDATE l2_view_fdb SET deleted = 1, entries = '[]', rev = ? WHERE host = ? AND network_id = ? AND tunnel_ip = ?`,
        [rev, host, networkId, tunnelIp],
      );
      return;
    }
    if (alive(row) && row!.entries === entries) return;
    const rev = await this.revs.revFor(host);
    await this.q.run(
      `INSERT INTO l2_view_fdb (host, network_id, tunnel_ip, entries, rev, deleted) VALUES (?, ?, ?, ?, ?, 0)
       ON CONFLICT (host, network_id, tunnel_ip) DO UPDATE SET entries = excluded.entries, rev = excluded.rev, deleted = 0`,
      [host, networkId, tunnelIp, entries, rev],
    );
  }

  async ipset(
    host: string,
    name: string,
    value: { sgId: string; ethertype: string; members: string } | null,
    row: IpsetRow | undefined,
  ): Promise<void> {
    if (value === null) {
      if (!alive(row)) return;
      const rev = await this.revs.revFor(host);
      await this.q.run(`UPDATE l2_view_ipsets SET deleted = 1, members = '[]', rev = ? WHERE host = ? AND name = ?`, [
        rev,
        host,
        name,
      ]);
      return;
    }
    const sameMembers = row?.same !== undefined ? Number(row.same) === 1 : row?.members === value.members;
    if (alive(row) && row!.sg_id === value.sgId && row!.ethertype === value.ethertype && sameMembers) {
      return;
    }
    const rev = await this.revs.revFor(host);
    await this.q.run(
      `INSERT INTO l2_view_ipsets (host, name, sg_id, ethertype, members, rev, deleted) VALUES (?, ?, ?, ?, ?, ?, 0)
       ON CONFLICT (host, name) DO UPDATE SET sg_id = excluded.sg_id, ethertype = excluded.ethertype,
         members = excluded.members, rev = excluded.rev, deleted = 0`,
      [host, name, value.sgId, value.ethertype, value.members, rev],
    );
  }
}

function nullableEq(a: number | null, b: number | null): boolean {
  return (a === null || a === undefined ? null : Number(a)) === b;
}
