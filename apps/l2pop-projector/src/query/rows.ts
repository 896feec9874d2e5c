import type { MacIp } from '../contract/l2-documents';
import { cmp, nullableNumber, sortEntries } from '../model/rules';

/** Rows of the L2 model's per-host tables as the document queries read them. */
export interface NetRow {
  network_id: string;
  network_type: string;
  segmentation_id: number | null;
  deleted: number;
}
export interface MemberRow {
  network_id: string;
  tunnel_ip: string;
  host: string;
  entries: string;
}
export interface SetRow {
  name: string;
  sg_id: string;
  ethertype: 'IPv4' | 'IPv6';
  deleted: number;
}

/**
 * Per network, per remote tunnel IP: the entries of the members behind it. Two
 * hosts behind one tunnel IP is a misconfiguration, but possible: their entries
 * are merged.
 */
export function remotesByNetwork(rows: MemberRow[]): Map<string, Map<string, MacIp[]>> {
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

export function change(n: NetRow): { network_type: string; segmentation_id: number | null } {
  return { network_type: n.network_type, segmentation_id: nullableNumber(n.segmentation_id) };
}

export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => cmp(a, b)));
}

export function sortBy<T>(rows: T[], key: (r: T) => string): T[] {
  return [...rows].sort((a, b) => cmp(key(a), key(b)));
}
