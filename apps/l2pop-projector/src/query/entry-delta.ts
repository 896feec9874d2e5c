import type { Database, Tx } from '@cp/store';
import type { FdbEntry, IpsetEntries, L2EntryDelta, L2NetworkEntries } from '../contract/l2-documents';
import { cmp, familyOf } from '../model/rules';
import { askTable, ASKS_PER_QUERY, byAsk, type DeltaAsk } from './asks';
import { currentRemotesMany, hostChangesMany, setMembers, setViews, type HostChanges } from './host-changes';
import { localChangedMany, readLocal } from './local-ports';
import { change, sortKeys, type NetRow } from './rows';

/** One ask's document under construction, and what its readers need to know of it. */
interface Building {
  ask: DeltaAsk;
  changes: HostChanges;
  networks: Record<string, L2NetworkEntries | null>;
  ipsets: Record<string, IpsetEntries | null>;
}

/** A member row at some remote tunnel IP of a network the host kept. */
interface MemberState extends NetRow {
  i: number;
  tunnel_ip: string;
  joined: number;
  seq: number;
}

/**
 * `?delta=entries`: each asking host's changes since its revision `from`, entry
 * by entry, for all the asks in one query per kind of row. Networks and sets
 * joined, left or compacted as in the lists format (given whole, marked
 * `full`); in those kept, the FDB rows (l2_fdb) and set IPs (l2_set_ips) with
 * seq > from, each an entry added or (a tombstone) removed, and the remote
 * tunnel IPs that joined or left the flood list. An entry both added and
 * removed since `from` may be reported removed (or a re-added one added):
 * applying it is a no-op, and the copy the agent ends with is exactly the
 * snapshot at `revision`.
 */
export async function entryDeltas(db: Database, tx: Tx | undefined, asks: readonly DeltaAsk[]): Promise<L2EntryDelta[]> {
  const out: L2EntryDelta[] = [];
  for (let at = 0; at < asks.length; at += ASKS_PER_QUERY)
    out.push(...(await entryDeltaChunk(db, tx, asks.slice(at, at + ASKS_PER_QUERY))));
  return out;
}

export async function entryDelta(
  db: Database,
  tx: Tx | undefined,
  host: string,
  revision: string,
  since: string,
  from: number,
): Promise<L2EntryDelta> {
  return (await entryDeltas(db, tx, [{ host, revision, since, from }]))[0];
}

async function entryDeltaChunk(db: Database, tx: Tx | undefined, asks: readonly DeltaAsk[]): Promise<L2EntryDelta[]> {
  const all = await hostChangesMany(db, tx, asks);
  const docs: Building[] = asks.map((ask, i) => ({ ask, changes: all[i], networks: {}, ipsets: {} }));
  await fullNetworks(db, tx, docs);
  await floodChanges(db, tx, docs);
  await fdbChanges(db, tx, docs);
  await joinedSets(db, tx, docs);
  await setChanges(db, tx, docs);
  const localChanged = await localChangedMany(db, tx, asks);
  const out: L2EntryDelta[] = [];
  for (const [i, { ask, networks, ipsets }] of docs.entries()) {
    const local = localChanged[i] ? await readLocal(db, tx, ask.host) : {};
    out.push({
      host: ask.host,
      revision: ask.revision,
      since: ask.since,
      resync: false,
      delta: 'entries',
      networks: sortKeys(networks),
      ipsets: sortKeys(ipsets),
      ...local,
    });
  }
  return out;
}

/** The network's entry changes in a document, made on first use. */
const entriesOf = (doc: Building, n: NetRow): L2NetworkEntries =>
  (doc.networks[n.network_id] ??= { ...change(n), flood: { added: [], removed: [] }, fdb: { added: [], removed: [] } });

/** False for networks given whole: their member rows are not read as changes. */
const kept = (doc: Building, networkId: string): boolean => !doc.changes.fullNetworks.has(networkId);

/** Networks left (null) and given whole (every remote and entry, `full`). */
async function fullNetworks(db: Database, tx: Tx | undefined, docs: Building[]): Promise<void> {
  const remotes = await currentRemotesMany(
    db,
    tx,
    docs.map((d) => ({ host: d.ask.host, networkIds: [...d.changes.fullNetworks.keys()] })),
  );
  for (const [i, doc] of docs.entries()) {
    for (const id of doc.changes.leftNetworks) doc.networks[id] = null;
    for (const [networkId, n] of doc.changes.fullNetworks) {
      const fdb: FdbEntry[] = [];
      const flood = [...(remotes[i].get(networkId) ?? [])].sort((a, b) => cmp(a[0], b[0]));
      for (const [tunnelIp, entries] of flood) for (const [mac, ip] of entries) fdb.push([tunnelIp, mac, ip]);
      doc.networks[networkId] = {
        ...change(n),
        flood: { added: flood.map(([t]) => t), removed: [] },
        fdb: { added: fdb, removed: [] },
        full: true,
      };
    }
  }
}

/**
 * Remote tunnel IPs of kept networks that joined or left the flood list: for
 * each (network, tunnel IP) with a member row changed since `from`, all its
 * member rows. A row was live at `from` if it came alive by then (`joined`)
 * and has not died since (live now, or its tombstone is newer than `from`).
 */
async function floodChanges(db: Database, tx: Tx | undefined, docs: Building[]): Promise<void> {
  const q = askTable(docs.map((d) => d.ask));
  const rows = byAsk(
    docs.length,
    await db.all<MemberState>(
      `${q.sql} SELECT DISTINCT q.i, v.network_id, v.network_type, v.segmentation_id, o.tunnel_ip, o.host, o.joined, o.seq, o.deleted FROM q
         JOIN l2_host_nets v ON v.host = q.h AND v.deleted = 0 AND v.seq <= q.f
         JOIN l2_members m ON m.network_id = v.network_id AND m.seq > q.f AND m.host <> q.h
         JOIN l2_members o ON o.network_id = m.network_id AND o.tunnel_ip = m.tunnel_ip AND o.host <> q.h`,
      q.params,
      tx,
    ),
  );
  for (const [i, doc] of docs.entries()) {
    const remotes = new Map<string, { row: MemberState; before: boolean; now: boolean }>();
    for (const r of rows[i]) {
      if (!kept(doc, r.network_id)) continue;
      const key = `${r.network_id}\u0000${r.tunnel_ip}`;
      const state = remotes.get(key) ?? { row: r, before: false, now: false };
      const live = !Number(r.deleted);
      state.now ||= live;
      state.before ||= Number(r.joined) <= doc.ask.from && (live || Number(r.seq) > doc.ask.from);
      remotes.set(key, state);
    }
    for (const { row, before, now } of [...remotes.values()].sort((a, b) => cmp(a.row.tunnel_ip, b.row.tunnel_ip))) {
      if (now && !before) entriesOf(doc, row).flood.added.push(row.tunnel_ip);
      if (before && !now) entriesOf(doc, row).flood.removed.push(row.tunnel_ip);
    }
  }
}

/**
 * FDB entries of kept networks added or removed since `from` (l2_fdb rows with
 * seq > from). Two hosts behind one tunnel IP with the same entry (a
 * misconfiguration): a removed entry stays while the other still has it (`held`).
 */
async function fdbChanges(db: Database, tx: Tx | undefined, docs: Building[]): Promise<void> {
  const q = askTable(docs.map((d) => d.ask));
  const rows = byAsk(
    docs.length,
    await db.all<NetRow & { i: number; tunnel_ip: string; mac: string; ip: string; held: number }>(
      `${q.sql} SELECT q.i, v.network_id, v.network_type, v.segmentation_id, f.tunnel_ip, f.mac, f.ip, f.deleted,
         CASE WHEN f.deleted <> 0 AND EXISTS (SELECT 1 FROM l2_fdb s WHERE s.network_id = f.network_id AND s.tunnel_ip = f.tunnel_ip
           AND s.mac = f.mac AND s.ip = f.ip AND s.deleted = 0 AND s.host <> q.h) THEN 1 ELSE 0 END AS held FROM q
         JOIN l2_host_nets v ON v.host = q.h AND v.deleted = 0 AND v.seq <= q.f
         JOIN l2_fdb f ON f.network_id = v.network_id AND f.seq > q.f AND f.host <> q.h`,
      q.params,
      tx,
    ),
  );
  for (const [i, doc] of docs.entries()) {
    const sorted = rows[i].sort(
      (a, b) => cmp(a.network_id, b.network_id) || cmp(a.tunnel_ip, b.tunnel_ip) || cmp(a.mac, b.mac) || cmp(a.ip, b.ip),
    );
    for (const r of sorted) {
      if (!kept(doc, r.network_id)) continue;
      const entry: FdbEntry = [r.tunnel_ip, r.mac, r.ip];
      if (!Number(r.deleted)) entriesOf(doc, r).fdb.added.push(entry);
      else if (!Number(r.held)) entriesOf(doc, r).fdb.removed.push(entry);
    }
  }
}

/** Sets left (null) and (re)joined (given whole, `full`). */
async function joinedSets(db: Database, tx: Tx | undefined, docs: Building[]): Promise<void> {
  const members = await setMembers(
    db,
    tx,
    docs.flatMap((d) => d.changes.joinedSets),
  );
  for (const doc of docs) {
    for (const name of doc.changes.leftSets) doc.ipsets[name] = null;
    for (const [name, set] of Object.entries(setViews(doc.changes.joinedSets, members))) doc.ipsets[name] = wholeSet(set);
  }
}

const wholeSet = (set: { security_group_id: string; ethertype: 'IPv4' | 'IPv6'; members: string[] }): IpsetEntries => ({
  security_group_id: set.security_group_id,
  ethertype: set.ethertype,
  members: { added: set.members, removed: [] },
  full: true,
});

/**
 * Members of kept sets added or removed since `from` (l2_set_ips rows with seq >
 * from; refs 0 is a removal). A set whose removals were compacted past `from` is given whole.
 */
async function setChanges(db: Database, tx: Tx | undefined, docs: Building[]): Promise<void> {
  const q = askTable(docs.map((d) => d.ask));
  const sets = byAsk(
    docs.length,
    await db.all<{ i: number; name: string; sg_id: string; ethertype: 'IPv4' | 'IPv6'; horizon: number }>(
      `${q.sql} SELECT q.i, v.name, v.sg_id, v.ethertype, s.horizon FROM q
         JOIN l2_host_ipsets v ON v.host = q.h AND v.deleted = 0 AND v.seq <= q.f
         JOIN l2_sets s ON s.sg_id = v.sg_id AND s.ethertype = v.ethertype AND s.seq > q.f`,
      q.params,
      tx,
    ),
  );
  const compacted = docs.flatMap((d, i) => sets[i].filter((s) => Number(s.horizon) > d.ask.from).map((s) => ({ ...s, deleted: 0 })));
  const whole = await setMembers(db, tx, compacted);
  const partial = docs.flatMap((d, i) => sets[i].filter((s) => Number(s.horizon) <= d.ask.from).map((s) => ({ doc: d, set: s })));
  const ips = await changedSetIps(
    db,
    tx,
    partial.map(({ doc, set }) => ({ sg_id: set.sg_id, family: familyOf(set.ethertype), from: doc.ask.from })),
  );
  for (const [i, doc] of docs.entries()) {
    const mine = compacted.filter((s) => s.i === i);
    for (const [name, set] of Object.entries(setViews(mine, whole))) doc.ipsets[name] = wholeSet(set);
  }
  for (const [k, { doc, set }] of partial.entries()) {
    const members = {
      added: ips[k].filter((r) => Number(r.refs) > 0).map((r) => r.ip),
      removed: ips[k].filter((r) => Number(r.refs) <= 0).map((r) => r.ip),
    };
    doc.ipsets[set.name] = { security_group_id: set.sg_id, ethertype: set.ethertype, members };
  }
}

/** Per (group, family, from) asked: its l2_set_ips rows with seq > from, by IP; one query per 400. */
async function changedSetIps(
  db: Database,
  tx: Tx | undefined,
  asked: readonly { sg_id: string; family: number; from: number }[],
): Promise<{ ip: string; refs: number }[][]> {
  const out: { ip: string; refs: number }[][] = [];
  for (let at = 0; at < asked.length; at += 400) {
    const chunk = asked.slice(at, at + 400);
    const rows = await db.all<{ k: number; ip: string; refs: number }>(
      `WITH s(k, sg, fam, f) AS (VALUES ${chunk.map(() => '(CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS BIGINT))').join(', ')})
       SELECT s.k, i.ip, i.refs FROM s JOIN l2_set_ips i ON i.sg_id = s.sg AND i.family = s.fam AND i.seq > s.f`,
      chunk.flatMap((a, k) => [k, a.sg_id, a.family, a.from]),
      tx,
    );
    const grouped = byAsk(
      chunk.length,
      rows.map((r) => ({ ...r, i: r.k })),
    );
    out.push(...grouped.map((g) => g.sort((a, b) => cmp(a.ip, b.ip))));
  }
  return out;
}
