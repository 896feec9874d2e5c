import type { IpsetView, L2Changes, L2Delta, L2EntryDelta, L2NetworkView, L2Snapshot, MacIp } from '../contract/l2-documents';
import { cmp, sortEntries } from '../model/rules';

export class DeltaMismatchError extends Error {
  override name = 'DeltaMismatchError';
}

/**
 * Applies a change document to an agent's local copy and returns the new copy
 * (the input is not modified). A resync replaces the copy; a delta must start
 * where the copy is (`since` = its revision), otherwise the agent has missed
 * something and must fetch a snapshot: that is a DeltaMismatchError.
 *
 * snapshot(r0) + every delta up to r == snapshot(r) is the contract this encodes.
 */
export function applyDelta(local: L2Snapshot | null, doc: L2Changes | L2Snapshot): L2Snapshot {
  if (!('resync' in doc) || doc.resync) return toSnapshot(doc);
  if (!local || local.revision !== doc.since) {
    throw new DeltaMismatchError(`delta since ${doc.since} does not apply to local revision ${local?.revision ?? 'none'}`);
  }
  if (local.host !== doc.host) throw new DeltaMismatchError(`delta for host ${doc.host} applied to ${local.host}`);

  const { networks, ipsets } = 'delta' in doc && doc.delta === 'entries' ? applyEntries(local, doc) : applyLists(local, doc as L2Delta);
  return {
    host: local.host,
    revision: doc.revision,
    networks: sortKeys(networks),
    ipsets: sortKeys(ipsets),
    // Given whole when they changed (a host's own ports are few).
    ports: doc.ports ? structuredClone(doc.ports) : local.ports,
    security_groups: doc.security_groups ? structuredClone(doc.security_groups) : local.security_groups,
  };
}

type Sections = Pick<L2Snapshot, 'networks' | 'ipsets'>;

/** The lists format: per changed remote its whole entry list, per changed set all its members. */
function applyLists(local: L2Snapshot, doc: L2Delta): Sections {
  return {
    networks: patch(local.networks, doc.networks, (change, old) => {
      const remotes = change.full ? new Map<string, MacIp[]>() : remotesOf(old);
      for (const [tunnelIp, entries] of Object.entries(change.remotes)) {
        if (entries === null) remotes.delete(tunnelIp);
        else remotes.set(tunnelIp, entries);
      }
      return fromRemotes(change.network_type, change.segmentation_id, remotes);
    }),
    ipsets: patch(local.ipsets, doc.ipsets, (set) => ({ ...set, members: [...set.members] })),
  };
}

/** The entries format: flood IPs, FDB entries and set members added and removed (`full`: start from nothing). */
function applyEntries(local: L2Snapshot, doc: L2EntryDelta): Sections {
  return {
    networks: patch(local.networks, doc.networks, (change, old, id) => {
      const remotes = change.full ? new Map<string, MacIp[]>() : remotesOf(old);
      for (const t of change.flood.removed) remotes.delete(t);
      for (const t of change.flood.added) if (!remotes.has(t)) remotes.set(t, []);
      const gone = new Set(change.fdb.removed.map(([t, mac, ip]) => `${t}\u0000${mac}\u0000${ip}`));
      for (const [t, entries] of remotes)
        remotes.set(
          t,
          entries.filter(([mac, ip]) => !gone.has(`${t}\u0000${mac}\u0000${ip}`)),
        );
      for (const [t, mac, ip] of change.fdb.added) {
        const entries = remotes.get(t);
        if (!entries) throw new DeltaMismatchError(`FDB entry ${mac} ${ip} added behind ${t}, which is not in network ${id}'s flood list`);
        if (!entries.some(([m, i]) => m === mac && i === ip)) entries.push([mac, ip]);
      }
      for (const [t, entries] of remotes) remotes.set(t, sortEntries(entries));
      return fromRemotes(change.network_type, change.segmentation_id, remotes);
    }),
    ipsets: patch(local.ipsets, doc.ipsets, (set, old): IpsetView => {
      const members = new Set(set.full ? [] : (old?.members ?? []));
      for (const ip of set.members.removed) members.delete(ip);
      for (const ip of set.members.added) members.add(ip);
      return { security_group_id: set.security_group_id, ethertype: set.ethertype, members: [...members].sort(cmp) };
    }),
  };
}

/** A copy of `current` with each change applied: null removes the key, otherwise `next` gives its new value. */
function patch<V, C>(
  current: Record<string, V>,
  changes: Record<string, C | null>,
  next: (change: C, old: V | undefined, key: string) => V,
): Record<string, V> {
  const out = { ...current };
  for (const [key, change] of Object.entries(changes)) {
    if (change === null) delete out[key];
    else out[key] = next(change, out[key], key);
  }
  return out;
}

function toSnapshot(doc: L2Snapshot): L2Snapshot {
  // Drop resync/since: the local copy has the snapshot's shape whatever produced it.
  return {
    host: doc.host,
    revision: doc.revision,
    networks: structuredClone(doc.networks),
    ipsets: structuredClone(doc.ipsets),
    // A server older than the ports section sends none.
    ports: structuredClone(doc.ports ?? {}),
    security_groups: structuredClone(doc.security_groups ?? {}),
  };
}

/** A network view as remote -> entries, flood-only remotes included with []. */
function remotesOf(view: L2NetworkView | undefined): Map<string, MacIp[]> {
  const remotes = new Map<string, MacIp[]>();
  for (const t of view?.flood ?? []) remotes.set(t, view?.fdb[t] ?? []);
  return remotes;
}

function fromRemotes(type: string, seg: number | null, remotes: Map<string, MacIp[]>): L2NetworkView {
  const flood = [...remotes.keys()].sort();
  const fdb: Record<string, MacIp[]> = {};
  for (const t of flood) {
    const entries = remotes.get(t)!;
    if (entries.length > 0) fdb[t] = entries.map((e) => [e[0], e[1]] as MacIp);
  }
  return { network_type: type, segmentation_id: seg, flood, fdb };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => cmp(a, b)));
}
