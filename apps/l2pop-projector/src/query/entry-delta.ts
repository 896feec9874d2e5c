import type { Database, Tx } from '@cp/store';
import type { FdbEntry, IpsetEntries, L2EntryDelta, L2NetworkEntries } from '../contract/l2-documents';
import { cmp, familyOf } from '../model/rules';
import { currentRemotes, currentSets, hostChanges } from './host-changes';
import { localChangedSince, readLocal } from './local-ports';
import { change, sortKeys, type NetRow } from './rows';

/** What the readers of the host's kept networks share: where to read, from which revision, and where to put what changed. */
interface KeptNetworks {
  db: Database;
  tx: Tx | undefined;
  host: string;
  from: number;
  /** False for networks given whole (their rows are not read as changes). */
  kept: (networkId: string) => boolean;
  /** The network's entry changes, made on first use. */
  entriesOf: (n: NetRow) => L2NetworkEntries;
}

/** A member row at some remote tunnel IP of a network the host kept. */
interface MemberState extends NetRow {
  tunnel_ip: string;
  joined: number;
  seq: number;
}

/**
 * `?delta=entries`: a host's changes since revision `from`, entry by entry.
 * Networks and sets joined, left or compacted as in the lists format (given
 * whole, marked `full`); in those kept, the FDB rows (l2_fdb) and set IPs
 * (l2_set_ips) with seq > from, each an entry added or (a tombstone) removed,
 * and the remote tunnel IPs that joined or left the flood list. An entry both
 * added and removed since `from` may be reported removed (or a re-added one
 * added): applying it is a no-op, and the copy the agent ends with is exactly
 * the snapshot at `revision`.
 */
export async function entryDelta(
  db: Database,
  tx: Tx | undefined,
  host: string,
  revision: string,
  since: string,
  from: number,
): Promise<L2EntryDelta> {
  const changes = await hostChanges(db, tx, host, from);
  const networks: Record<string, L2NetworkEntries | null> = {};
  for (const id of changes.leftNetworks) networks[id] = null;
  const remotes = await currentRemotes(db, tx, host, [...changes.fullNetworks.keys()]);
  for (const [networkId, n] of changes.fullNetworks) {
    const fdb: FdbEntry[] = [];
    const flood = [...(remotes.get(networkId) ?? [])].sort((a, b) => cmp(a[0], b[0]));
    for (const [tunnelIp, entries] of flood) for (const [mac, ip] of entries) fdb.push([tunnelIp, mac, ip]);
    networks[networkId] = {
      ...change(n),
      flood: { added: flood.map(([t]) => t), removed: [] },
      fdb: { added: fdb, removed: [] },
      full: true,
    };
  }
  const scope: KeptNetworks = {
    db,
    tx,
    host,
    from,
    kept: (id) => !changes.fullNetworks.has(id),
    entriesOf: (n) => (networks[n.network_id] ??= { ...change(n), flood: { added: [], removed: [] }, fdb: { added: [], removed: [] } }),
  };
  await floodChanges(scope);
  await fdbChanges(scope);

  const ipsets: Record<string, IpsetEntries | null> = {};
  for (const name of changes.leftSets) ipsets[name] = null;
  for (const [name, set] of Object.entries(await currentSets(db, tx, changes.joinedSets))) {
    ipsets[name] = {
      security_group_id: set.security_group_id,
      ethertype: set.ethertype,
      members: { added: set.members, removed: [] },
      full: true,
    };
  }
  await setChanges(db, tx, host, from, ipsets);
  const local = (await localChangedSince(db, tx, host, from)) ? await readLocal(db, tx, host) : {};
  return { host, revision, since, resync: false, delta: 'entries', networks: sortKeys(networks), ipsets: sortKeys(ipsets), ...local };
}

/**
 * Remote tunnel IPs of kept networks that joined or left the flood list: for
 * each (network, tunnel IP) with a member row changed since `from`, all its
 * member rows. A row was live at `from` if it came alive by then (`joined`)
 * and has not died since (live now, or its tombstone is newer than `from`).
 */
async function floodChanges({ db, tx, host, from, kept, entriesOf }: KeptNetworks): Promise<void> {
  const rows = await db.all<MemberState>(
    `SELECT DISTINCT v.network_id, v.network_type, v.segmentation_id, o.tunnel_ip, o.host, o.joined, o.seq, o.deleted FROM l2_host_nets v
       JOIN l2_members m ON m.network_id = v.network_id AND m.seq > ? AND m.host <> ?
       JOIN l2_members o ON o.network_id = m.network_id AND o.tunnel_ip = m.tunnel_ip AND o.host <> ?
     WHERE v.host = ? AND v.deleted = 0 AND v.seq <= ?`,
    [from, host, host, host, from],
    tx,
  );
  const remotes = new Map<string, { row: MemberState; before: boolean; now: boolean }>();
  for (const r of rows) {
    if (!kept(r.network_id)) continue;
    const key = `${r.network_id}\u0000${r.tunnel_ip}`;
    const state = remotes.get(key) ?? { row: r, before: false, now: false };
    const live = !Number(r.deleted);
    state.now ||= live;
    state.before ||= Number(r.joined) <= from && (live || Number(r.seq) > from);
    remotes.set(key, state);
  }
  for (const { row, before, now } of [...remotes.values()].sort((a, b) => cmp(a.row.tunnel_ip, b.row.tunnel_ip))) {
    if (now && !before) entriesOf(row).flood.added.push(row.tunnel_ip);
    if (before && !now) entriesOf(row).flood.removed.push(row.tunnel_ip);
  }
}

/** FDB entries of kept networks added or removed since `from` (l2_fdb rows with seq > from). */
async function fdbChanges({ db, tx, host, from, kept, entriesOf }: KeptNetworks): Promise<void> {
  const rows = await db.all<NetRow & { tunnel_ip: string; mac: string; ip: string }>(
    `SELECT v.network_id, v.network_type, v.segmentation_id, f.tunnel_ip, f.mac, f.ip, f.deleted FROM l2_host_nets v
       JOIN l2_fdb f ON f.network_id = v.network_id AND f.seq > ? AND f.host <> ?
     WHERE v.host = ? AND v.deleted = 0 AND v.seq <= ?
     ORDER BY v.network_id, f.tunnel_ip, f.mac, f.ip`,
    [from, host, host, from],
    tx,
  );
  for (const r of rows) {
    if (!kept(r.network_id)) continue;
    const entry: FdbEntry = [r.tunnel_ip, r.mac, r.ip];
    if (!Number(r.deleted)) entriesOf(r).fdb.added.push(entry);
    // Two hosts behind one tunnel IP with the same entry (a misconfiguration): it stays while one still has it.
    else if (!(await stillHeld(db, tx, host, r))) {
      entriesOf(r).fdb.removed.push(entry);
    }
  }
}

async function stillHeld(
  db: Database,
  tx: Tx | undefined,
  host: string,
  r: { network_id: string; tunnel_ip: string; mac: string; ip: string },
): Promise<boolean> {
  const row = await db.get(
    'SELECT 1 AS x FROM l2_fdb WHERE network_id = ? AND tunnel_ip = ? AND mac = ? AND ip = ? AND deleted = 0 AND host <> ?',
    [r.network_id, r.tunnel_ip, r.mac, r.ip, host],
    tx,
  );
  return row !== undefined;
}

/**
 * Members of kept sets added or removed since `from` (l2_set_ips rows with seq >
 * from; refs 0 is a removal). A set whose removals were compacted past `from` is given whole.
 */
async function setChanges(
  db: Database,
  tx: Tx | undefined,
  host: string,
  from: number,
  out: Record<string, IpsetEntries | null>,
): Promise<void> {
  const sets = await db.all<{ name: string; sg_id: string; ethertype: 'IPv4' | 'IPv6'; horizon: number }>(
    `SELECT v.name, v.sg_id, v.ethertype, s.horizon FROM l2_host_ipsets v
       JOIN l2_sets s ON s.sg_id = v.sg_id AND s.ethertype = v.ethertype AND s.seq > ?
     WHERE v.host = ? AND v.deleted = 0 AND v.seq <= ?`,
    [from, host, from],
    tx,
  );
  const compacted = sets.filter((s) => Number(s.horizon) > from);
  for (const [name, set] of Object.entries(
    await currentSets(
      db,
      tx,
      compacted.map((s) => ({ ...s, deleted: 0 })),
    ),
  )) {
    out[name] = {
      security_group_id: set.security_group_id,
      ethertype: set.ethertype,
      members: { added: set.members, removed: [] },
      full: true,
    };
  }
  for (const s of sets) {
    if (Number(s.horizon) > from) continue;
    const ips = await db.all<{ ip: string; refs: number }>(
      'SELECT ip, refs FROM l2_set_ips WHERE sg_id = ? AND family = ? AND seq > ? ORDER BY ip',
      [s.sg_id, familyOf(s.ethertype), from],
      tx,
    );
    const members = {
      added: ips.filter((i) => Number(i.refs) > 0).map((i) => i.ip),
      removed: ips.filter((i) => Number(i.refs) <= 0).map((i) => i.ip),
    };
    out[s.name] = { security_group_id: s.sg_id, ethertype: s.ethertype, members };
  }
}
