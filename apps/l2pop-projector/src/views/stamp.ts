import { cmp, familyOf, type MacIp } from '../model/rules';
import type { CompactionOptions } from '@cp/host-feed';
import { binaryChunks, placeholders, type Sql } from '@cp/store';
import type { HotBatch } from './hot-state';
import type { Member, NetMeta } from './members';
import { L2_CLOCK } from '../model/tables';

/** A set: its group and ethertype. */
export interface SetRef {
  sgId: string;
  ethertype: string;
}

interface MemberRow {
  networkId: string;
  tunnelIp: string;
  host: string;
  /** JSON of the sorted [mac, ip] list; null writes a tombstone. */
  entries: string | null;
}

/** What a committed batch changed: the hosts concerned, all now at revision `seq`. */
export interface Stamped {
  epoch: number;
  seq: number;
  hosts: string[];
}

/**
 * Collects the rows one batch changes, then writes them all with one `seq` and
 * moves every host they concern to revision `seq`. The clock is per host, not
 * global (no row every projector instance would fight over): `seq` is one more
 * than the highest revision among the hosts concerned, so it is above the
 * revision each of them last handed out, and a host at revision r finds all
 * later changes of its networks and sets as rows with seq > r. Hosts outside a
 * network never read its member rows' seq: a host joining gets the whole
 * network. Batches that concern the same host both write its revision row, so
 * they serialise (SQLite's single writer; a conflict and retry on PostgreSQL).
 *
 * A host is concerned by: its own rows (networks and sets joined or left), a
 * member row of a network it takes part in (except its own: a host never sees
 * itself), the members of a set it holds, and its own ports.
 */
export class Stamp {
  private readonly members = new Map<string, MemberRow>();
  /** Per (network, host) whose membership changed: as it was before the batch and as it is now, for the FDB rows. */
  private readonly entryChanges = new Map<string, { networkId: string; host: string; before: Member | undefined; after: Member | null }>();
  /** Per network with member changes: whose rows changed. */
  private readonly memberHosts = new Map<string, Set<string>>();
  private readonly hostNets = new Map<string, { host: string; networkId: string; meta: NetMeta | null }>();
  private readonly hostSets = new Map<string, { host: string; name: string; value: SetRef | null }>();
  private readonly sets = new Map<string, { sgId: string; ethertype: string; ips: Set<string> }>();
  private readonly locals = new Set<string>();

  constructor(
    private readonly q: Sql,
    private readonly compaction: CompactionOptions,
    /** The networks' and sets' state as the batch found it (loaded first); kept in step with the rows recorded here. */
    private readonly hot: HotBatch,
  ) {}

  /** A member of the network changed: `after` replaces `before` (null: no longer a member). */
  member(networkId: string, host: string, before: Member | undefined, after: Member | null): void {
    const state = this.hot.touchNetwork(networkId);
    if (after) state?.members.set(host, after);
    else state?.members.delete(host);
    if (before && before.tunnelIp !== after?.tunnelIp) {
      this.members.set(`${networkId}\u0000${before.tunnelIp}\u0000${host}`, { networkId, tunnelIp: before.tunnelIp, host, entries: null });
    }
    if (after)
      this.members.set(`${networkId}\u0000${after.tunnelIp}\u0000${host}`, {
        networkId,
        tunnelIp: after.tunnelIp,
        host,
        entries: after.entries,
      });
    const key = `${networkId}\u0000${host}`;
    const first = this.entryChanges.get(key);
    this.entryChanges.set(key, { networkId, host, before: first ? first.before : before, after });
    let hosts = this.memberHosts.get(networkId);
    if (!hosts) this.memberHosts.set(networkId, (hosts = new Set()));
    hosts.add(host);
  }

  /** The host takes part in the network (again, or with another type or segment), or no longer (null). */
  hostNet(host: string, networkId: string, meta: NetMeta | null): void {
    const state = this.hot.touchNetwork(networkId);
    if (meta) state?.viewers.set(host, meta);
    else state?.viewers.delete(host);
    this.hostNets.set(`${host}\u0000${networkId}`, { host, networkId, meta });
  }

  /** The host needs set `name` of this group and ethertype (null: no longer), instead of what it `held` under that name. */
  hostSet(host: string, name: string, value: SetRef | null, held: SetRef | null): void {
    if (held) this.hot.touchSet(held.sgId, held.ethertype)?.holders.delete(host);
    if (value) this.hot.touchSet(value.sgId, value.ethertype)?.holders.add(host);
    this.hostSets.set(`${host}\u0000${name}`, { host, name, value });
  }

  /** What the host's own ports are changed (their facts or their groups' rules). */
  hostLocal(host: string): void {
    this.locals.add(host);
  }

  /** The set's members changed (these IPs came or went): every host holding it is concerned. */
  setMembers(sgId: string, ethertype: string, ips: Iterable<string>): void {
    const key = `${ethertype}/${sgId}`;
    const set = this.sets.get(key);
    if (set) for (const ip of ips) set.ips.add(ip);
    else this.sets.set(key, { sgId, ethertype, ips: new Set(ips) });
  }

  /** Writes the batch's rows and revisions; hosts: empty when nothing any host sees changed. */
  async commit(): Promise<Stamped> {
    const nothing =
      this.members.size === 0 && this.hostNets.size === 0 && this.hostSets.size === 0 && this.sets.size === 0 && this.locals.size === 0;
    if (nothing) return { epoch: 0, seq: 0, hosts: [] };
    const horizons = this.networkHorizons();
    const revs = await this.concerned(horizons);
    const epoch = await L2_CLOCK.ensureEpoch(this.q);
    const seq = 1 + Math.max(0, ...[...revs.values()].map((r) => r.rev));
    await this.writeRows(seq);
    await this.writeRevisions(revs, seq);
    await this.compactNetworks(horizons, seq);
    await this.compactSets(seq);
    return { epoch, seq, hosts: [...revs.keys()].sort(cmp) };
  }

  /**
   * The hosts concerned, with their revisions and horizons.
   * @param horizons per changed network, its compaction horizon; left holding the networks to compact.
   */
  private async concerned(horizons: Map<string, number>): Promise<Map<string, { rev: number; horizon: number }>> {
    const hosts = new Set<string>();
    for (const { host } of this.hostNets.values()) hosts.add(host);
    for (const { host } of this.hostSets.values()) hosts.add(host);
    for (const host of this.locals) hosts.add(host);
    const viewersOf = new Map([...this.memberHosts.keys()].map((id) => [id, [...this.hot.network(id).viewers.keys()]]));
    const holders = [...this.sets.values()].flatMap(({ sgId, ethertype }) => [...this.hot.set(sgId, ethertype).holders]);
    const revs = await this.revisions([...new Set([...hosts, ...[...viewersOf.values()].flat(), ...holders])]);
    for (const [networkId, changed] of this.memberHosts) {
      const viewers = viewersOf.get(networkId)!;
      // A host whose own row is the only change sees nothing new (its flood list and FDB list
      // the others), unless the network's tombstones are about to be compacted: then every
      // member moves past the new horizon, so none is left reading rows that went.
      // The batch's seq will be above every viewer's revision.
      const compacting = this.compacts(horizons.get(networkId)!, 1 + Math.max(0, ...viewers.map((h) => revs.get(h)!.rev)));
      if (!compacting) horizons.delete(networkId);
      for (const host of viewers) if (compacting || !(changed.size === 1 && changed.has(host))) hosts.add(host);
    }
    for (const host of holders) hosts.add(host);
    return new Map([...revs].filter(([host]) => hosts.has(host)));
  }

  private async revisions(hosts: string[]): Promise<Map<string, { rev: number; horizon: number }>> {
    const revs = new Map<string, { rev: number; horizon: number }>();
    for (const chunk of binaryChunks(hosts)) {
      const rows = await this.q.all<{ host: string; rev: number; horizon: number }>(
        `SELECT host, rev, horizon FROM l2_host_revs WHERE host IN (${placeholders(chunk.length)})`,
        chunk,
      );
      for (const r of rows) revs.set(r.host, { rev: Number(r.rev), horizon: Number(r.horizon) });
    }
    for (const host of hosts) if (!revs.has(host)) revs.set(host, { rev: 0, horizon: 0 });
    return revs;
  }

  private async writeRows(seq: number): Promise<void> {
    const q = this.q;
    for (const m of this.members.values()) {
      // `joined` moves when the row comes alive (new, or a tombstone again live); it stays otherwise.
      await q.run(
        `INSERT INTO l2_members (network_id, tunnel_ip, host, entries, joined, seq, deleted) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (network_id, tunnel_ip, host) DO UPDATE SET entries = excluded.entries, seq = excluded.seq, deleted = excluded.deleted,
           joined = CASE WHEN l2_members.deleted = 1 THEN excluded.joined ELSE l2_members.joined END`,
        [m.networkId, m.tunnelIp, m.host, m.entries ?? '[]', seq, seq, m.entries === null ? 1 : 0],
      );
    }
    for (const { networkId, host, before, after } of this.entryChanges.values()) {
      for (const [tunnelIp, mac, ip, deleted] of memberFdbRows(before, after)) {
        await q.run(
          `INSERT INTO l2_fdb (network_id, tunnel_ip, host, mac, ip, seq, deleted) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (network_id, tunnel_ip, host, mac, ip) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted`,
          [networkId, tunnelIp, host, mac, ip, seq, deleted],
        );
      }
    }
    for (const { host, networkId, meta } of this.hostNets.values()) {
      await q.run(
        `INSERT INTO l2_host_nets (host, network_id, network_type, segmentation_id, seq, deleted) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (host, network_id) DO UPDATE SET network_type = excluded.network_type,
           segmentation_id = excluded.segmentation_id, seq = excluded.seq, deleted = excluded.deleted`,
        [host, networkId, meta?.type ?? '', meta?.seg ?? null, seq, meta ? 0 : 1],
      );
    }
    for (const { host, name, value } of this.hostSets.values()) {
      await q.run(
        `INSERT INTO l2_host_ipsets (host, name, sg_id, ethertype, seq, deleted) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (host, name) DO UPDATE SET sg_id = excluded.sg_id, ethertype = excluded.ethertype,
           seq = excluded.seq, deleted = excluded.deleted`,
        [host, name, value?.sgId ?? '', value?.ethertype ?? '', seq, value ? 0 : 1],
      );
    }
    for (const host of this.locals) {
      await q.run('INSERT INTO l2_host_local (host, seq) VALUES (?, ?) ON CONFLICT (host) DO UPDATE SET seq = excluded.seq', [host, seq]);
    }
    for (const { sgId, ethertype, ips } of this.sets.values()) {
      await q.run(
        'INSERT INTO l2_sets (sg_id, ethertype, seq, horizon) VALUES (?, ?, ?, 0) ON CONFLICT (sg_id, ethertype) DO UPDATE SET seq = excluded.seq',
        [sgId, ethertype, seq],
      );
      for (const ip of ips) {
        await q.run('UPDATE l2_set_ips SET seq = ? WHERE sg_id = ? AND family = ? AND ip = ?', [seq, sgId, familyOf(ethertype), ip]);
      }
    }
  }

  /** Every concerned host moves to `seq`; its own tombstones older than the window go. */
  private async writeRevisions(revs: Map<string, { rev: number; horizon: number }>, seq: number): Promise<void> {
    const rows = [...revs]
      .sort(([a], [b]) => cmp(a, b))
      .map(([host, { horizon }]) => {
        const compact = this.compacts(horizon, seq);
        return { host, rev: seq, horizon: compact ? seq - this.compaction.keepRevisions : horizon, compact };
      });
    await L2_CLOCK.writeRevisions(this.q, rows);
    for (const { host, horizon, compact } of rows) {
      if (!compact) continue;
      for (const t of ['l2_host_nets', 'l2_host_ipsets']) {
        await this.q.run(`DELETE FROM ${t} WHERE host = ? AND deleted = 1 AND seq <= ?`, [host, horizon]);
      }
    }
  }

  private compacts(horizon: number, seq: number): boolean {
    return seq - horizon >= this.compaction.keepRevisions + this.compaction.compactEvery;
  }

  private networkHorizons(): Map<string, number> {
    return new Map([...this.memberHosts.keys()].map((id) => [id, this.hot.network(id).horizon]));
  }

  /**
   * A network's member tombstones older than the window go too. A host whose
   * revision is behind the network's horizon is then sent the whole network
   * (query/l2-queries.ts), not a resync of everything it has.
   */
  private async compactNetworks(compacting: Map<string, number>, seq: number): Promise<void> {
    for (const networkId of compacting.keys()) {
      const next = seq - this.compaction.keepRevisions;
      this.hot.network(networkId).horizon = next;
      await this.q.run('DELETE FROM l2_members WHERE network_id = ? AND deleted = 1 AND seq <= ?', [networkId, next]);
      await this.q.run('DELETE FROM l2_fdb WHERE network_id = ? AND deleted = 1 AND seq <= ?', [networkId, next]);
      await this.q.run(
        'INSERT INTO l2_net_horizons (network_id, horizon) VALUES (?, ?) ON CONFLICT (network_id) DO UPDATE SET horizon = excluded.horizon',
        [networkId, next],
      );
    }
  }

  /**
   * A changed set's member tombstones older than the window go. Every holder
   * of the set is concerned by the batch (so moves to `seq`); one whose
   * revision is behind the horizon later is sent the set whole.
   */
  private async compactSets(seq: number): Promise<void> {
    for (const { sgId, ethertype } of this.sets.values()) {
      if (!this.compacts(this.hot.set(sgId, ethertype).horizon, seq)) continue;
      const next = seq - this.compaction.keepRevisions;
      this.hot.touchSet(sgId, ethertype)!.horizon = next;
      await this.q.run('DELETE FROM l2_set_ips WHERE sg_id = ? AND family = ? AND refs <= 0 AND seq <= ?', [
        sgId,
        familyOf(ethertype),
        next,
      ]);
      await this.q.run('UPDATE l2_sets SET horizon = ? WHERE sg_id = ? AND ethertype = ?', [next, sgId, ethertype]);
    }
  }
}

/**
 * A member's FDB rows to write, as [tunnel IP, mac, ip, deleted]: the entries
 * it no longer has (all of them behind an old tunnel IP) as tombstones, the new
 * ones live; entries kept under the same tunnel IP are not written.
 */
export function memberFdbRows(before: Member | undefined, after: Member | null): Array<[string, string, string, number]> {
  const keyed = (m: Member | null | undefined) =>
    new Map(
      (m ? (JSON.parse(m.entries) as MacIp[]) : []).map(([mac, ip]) => [`${m!.tunnelIp}\u0000${mac}\u0000${ip}`, [m!.tunnelIp, mac, ip]]),
    );
  const was = keyed(before);
  const now = keyed(after);
  const out: Array<[string, string, string, number]> = [];
  for (const [key, [tunnelIp, mac, ip]] of was) if (!now.has(key)) out.push([tunnelIp, mac, ip, 1]);
  for (const [key, [tunnelIp, mac, ip]] of now) if (!was.has(key)) out.push([tunnelIp, mac, ip, 0]);
  return out;
}
