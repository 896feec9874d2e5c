import type { L2NetworkView, L2Snapshot } from '../contract/l2-documents';

type Entry = [tunnelIp: string, mac: string, ip: string];

export interface L2NetworkDiff {
  /** The host joined (took part from) or left the network between the two points. */
  joined?: true;
  left?: true;
  flood: { added: string[]; removed: string[] };
  fdb: { added: Entry[]; removed: Entry[] };
}

/** What a host's agent had to change between two points of the log: `GET /v1/hosts/{host}/l2/diff`. */
export interface L2Diff {
  host: string;
  from: number;
  to: number;
  networks: Record<string, L2NetworkDiff>;
  ipsets: Record<string, { added: string[]; removed: string[]; created?: true; destroyed?: true }>;
  ports: { added: string[]; removed: string[]; changed: string[] };
  security_groups: { added: string[]; removed: string[]; changed: string[] };
}

/** The entry-level difference of two documents of one host (pure). Networks and sets without changes are left out. */
export function diffL2(a: L2Snapshot & { position: number }, b: L2Snapshot & { position: number }): L2Diff {
  const out: L2Diff = {
    host: b.host,
    from: a.position,
    to: b.position,
    networks: {},
    ipsets: {},
    ports: keyed(a.ports, b.ports),
    security_groups: keyed(a.security_groups, b.security_groups),
  };
  for (const id of union(a.networks, b.networks)) {
    const before = a.networks[id];
    const after = b.networks[id];
    const flood = setDiff(before?.flood ?? [], after?.flood ?? []);
    const fdb = setDiff(entries(before), entries(after));
    if (before && after && flood.added.length + flood.removed.length + fdb.added.length + fdb.removed.length === 0) continue;
    out.networks[id] = {
      ...(before ? {} : { joined: true as const }),
      ...(after ? {} : { left: true as const }),
      flood,
      fdb: { added: fdb.added.map(split), removed: fdb.removed.map(split) },
    };
  }
  for (const name of union(a.ipsets, b.ipsets)) {
    const before = a.ipsets[name];
    const after = b.ipsets[name];
    const members = setDiff(before?.members ?? [], after?.members ?? []);
    if (before && after && members.added.length + members.removed.length === 0) continue;
    out.ipsets[name] = { ...(before ? {} : { created: true as const }), ...(after ? {} : { destroyed: true as const }), ...members };
  }
  return out;
}

function entries(view: L2NetworkView | undefined): string[] {
  return Object.entries(view?.fdb ?? {}).flatMap(([tunnelIp, list]) => list.map(([mac, ip]) => `${tunnelIp} ${mac} ${ip}`));
}

const split = (e: string) => e.split(' ') as Entry;

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function setDiff(before: string[], after: string[]): { added: string[]; removed: string[] } {
  const was = new Set(before);
  const is = new Set(after);
  return { added: after.filter((x) => !was.has(x)).sort(), removed: before.filter((x) => !is.has(x)).sort() };
}

function keyed<T>(a: Record<string, T>, b: Record<string, T>): { added: string[]; removed: string[]; changed: string[] } {
  const ids = union(a, b);
  return {
    added: ids.filter((id) => !(id in a)),
    removed: ids.filter((id) => !(id in b)),
    changed: ids.filter((id) => id in a && id in b && JSON.stringify(a[id]) !== JSON.stringify(b[id])),
  };
}
