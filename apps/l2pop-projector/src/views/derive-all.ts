import { HA_INTERFACE_OWNER, cmp, ipFamily, ipsetName, isTunnelled, sortEntries, uniqueSorted, type Ethertype, type MacIp } from '../model/rules';
import { Inserter, type MemFacts } from '../projection/facts';
import type { TxSql } from '../projection/sql';
import type { Member } from './members';
import { indexByTunnel, remoteEntries, type ByTunnel } from './network-view';
import type { RevTracker } from './revisions';

interface Meta {
  type: string;
  seg: number | null;
}

/**
 * Derives `l2_net_members` and every host's view rows from the facts of a model
 * replayed from scratch (its derived tables are empty). The rules are those of
 * computeMember, refreshNetwork and refreshHostSets, applied to all keys at once
 * from the facts in memory instead of key by key with queries, so the values are
 * the ones the incremental path arrives at; each host gets one revision for all its rows.
 */
export async function deriveAll(q: TxSql, revs: RevTracker, facts: MemFacts): Promise<void> {
  const members = deriveMembers(facts);
  const memberRows = new Inserter(q, 'l2_net_members', ['network_id', 'host', 'tunnel_ip', 'entries']);
  const networks = new Map<string, { meta: Meta; byTunnel: ByTunnel; tunnels: string[] }>();
  const hostNets = new Map<string, string[]>();
  for (const [networkId, { meta, hosts }] of members) {
    for (const [host, m] of hosts) {
      if (memberRows.push(networkId, host, m.tunnelIp, m.entries)) await memberRows.flush();
      const list = hostNets.get(host);
      if (list) list.push(networkId);
      else hostNets.set(host, [networkId]);
    }
    const byTunnel = indexByTunnel(hosts);
    networks.set(networkId, { meta, byTunnel, tunnels: [...byTunnel.keys()].sort(cmp) });
  }
  await memberRows.flush();

  const sets = deriveIpsets(facts);
  const nets = new Inserter(q, 'l2_view_nets', ['host', 'network_id', 'network_type', 'segmentation_id', 'rev', 'deleted']);
  const fdb = new Inserter(q, 'l2_view_fdb', ['host', 'network_id', 'tunnel_ip', 'entries', 'rev', 'deleted']);
  const ipsets = new Inserter(q, 'l2_view_ipsets', ['host', 'name', 'sg_id', 'ethertype', 'members', 'rev', 'deleted']);
  // Host by host in key order, so the inserts append to the views' indexes.
  for (const host of [...new Set([...hostNets.keys(), ...sets.keys()])].sort(cmp)) {
    const rev = await revs.revFor(host);
    for (const networkId of (hostNets.get(host) ?? []).sort(cmp)) {
      const { meta, byTunnel, tunnels } = networks.get(networkId)!;
      if (nets.push(host, networkId, meta.type, meta.seg, rev, 0)) await nets.flush();
      for (const t of tunnels) {
        const entries = remoteEntries(byTunnel, t, host);
        if (entries !== null && fdb.push(host, networkId, t, entries, rev, 0)) await fdb.flush();
      }
    }
    const hostSets = sets.get(host);
    if (!hostSets) continue;
    for (const name of [...hostSets.keys()].sort(cmp)) {
      const s = hostSets.get(name)!;
      if (ipsets.push(host, name, s.sgId, s.ethertype, s.members, rev, 0)) await ipsets.flush();
    }
  }
  await nets.flush();
  await fdb.flush();
  await ipsets.flush();
}

/**
 * DESIGN.md 4 for every (network, host) at once (computeMember for each key):
 * tunnelled networks, hosts whose L2 agent has a tunnel IP (the lowest agent id
 * if several), ACTIVE ports other than HA replicated interfaces (entries from
 * their fixed IPs) or HA routers with an interface on the network (flood only).
 */
function deriveMembers(facts: MemFacts): Map<string, { meta: Meta; hosts: Map<string, Member> }> {
  const tunnelOf = new Map<string, string>();
  for (const [, a] of [...facts.agents].sort((x, y) => cmp(x[0], y[0]))) {
    if (a.tunnelIp !== null && !tunnelOf.has(a.host)) tunnelOf.set(a.host, a.tunnelIp);
  }
  const found = new Map<string, Map<string, MacIp[]>>();
  const entriesOf = (networkId: string, host: string): MacIp[] | null => {
    const net = facts.networks.get(networkId);
    if (!net || !isTunnelled(net.type) || !tunnelOf.has(host)) return null;
    let hosts = found.get(networkId);
    if (!hosts) found.set(networkId, (hosts = new Map()));
    let list = hosts.get(host);
    if (!list) hosts.set(host, (list = []));
    return list;
  };
  for (const p of facts.ports.values()) {
    if (!p.active || p.deviceOwner === HA_INTERFACE_OWNER || p.host === '') continue;
    const list = entriesOf(p.networkId, p.host);
    if (list) for (const ip of p.fixed) list.push([p.mac, ip]);
  }
  for (const [routerId, ha] of facts.routers) {
    if (!ha) continue;
    const ifaces = facts.routerIfaces.get(routerId);
    const hosts = facts.routerHosts.get(routerId);
    if (!ifaces || !hosts) continue;
    for (const networkId of ifaces.values()) for (const host of hosts) entriesOf(networkId, host);
  }

  const out = new Map<string, { meta: Meta; hosts: Map<string, Member> }>();
  for (const networkId of [...found.keys()].sort(cmp)) {
    const net = facts.networks.get(networkId)!;
    const hosts = new Map<string, Member>();
    for (const [host, list] of [...found.get(networkId)!].sort((a, b) => cmp(a[0], b[0]))) {
      hosts.set(host, { tunnelIp: tunnelOf.get(host)!, entries: JSON.stringify(sortEntries(list)) });
    }
    out.set(networkId, { meta: { type: net.type, seg: net.seg }, hosts });
  }
  return out;
}

interface IpsetValue {
  sgId: string;
  ethertype: string;
  members: string;
}

/**
 * Every host's ipsets (refreshHostSets for every host): host H needs (G, E) when a
 * port bound there is in a group with a rule naming remote group G, ethertype E;
 * the members are the fixed and pair IPs of E's family of every port in G.
 */
function deriveIpsets(facts: MemFacts): Map<string, Map<string, IpsetValue>> {
  interface Need {
    key: string;
    g: string;
    e: Ethertype;
  }
  // Per group: the (remote group, ethertype) pairs its rules name; per named group: its members by family.
  const named = new Map<string, Map<string, Need>>();
  const members = new Map<string, { v4: string[]; v6: string[] }>();
  for (const r of facts.rules.values()) {
    if (r.remoteGroupId === null) continue;
    let m = named.get(r.sgId);
    if (!m) named.set(r.sgId, (m = new Map()));
    const key = `${r.ethertype}/${r.remoteGroupId}`;
    if (!m.has(key)) m.set(key, { key, g: r.remoteGroupId, e: r.ethertype as Ethertype });
    if (!members.has(r.remoteGroupId)) members.set(r.remoteGroupId, { v4: [], v6: [] });
  }
  // Per host: the groups its ports are in (that name some set), then the sets those need.
  const hostGroups = new Map<string, Set<string>>();
  for (const p of facts.ports.values()) {
    for (const group of p.groups) {
      const of = members.get(group);
      if (of) {
        for (const ip of p.fixed) (ipFamily(ip) === 6 ? of.v6 : of.v4).push(ip);
        for (const ip of p.pairs) (ipFamily(ip) === 6 ? of.v6 : of.v4).push(ip);
      }
      if (p.host === '' || !named.has(group)) continue;
      const groups = hostGroups.get(p.host);
      if (groups) groups.add(group);
      else hostGroups.set(p.host, new Set([group]));
    }
  }
  const needs = new Map<string, Map<string, Need>>();
  for (const [host, groups] of hostGroups) {
    const hostNeeds = new Map<string, Need>();
    for (const group of groups) for (const n of named.get(group)!.values()) hostNeeds.set(n.key, n);
    needs.set(host, hostNeeds);
  }
  // The JSON of each set's members, made once and shared by every host needing it.
  const json = new Map<string, string>();
  const membersOf = (g: string, e: Ethertype): string => {
    const key = `${e === 'IPv6' ? 6 : 4}/${g}`;
    let text = json.get(key);
    if (text === undefined) {
      const of = members.get(g)!;
      json.set(key, (text = JSON.stringify(uniqueSorted(e === 'IPv6' ? of.v6 : of.v4))));
    }
    return text;
  };
  const out = new Map<string, Map<string, IpsetValue>>();
  for (const [host, hostNeeds] of needs) {
    const sets = new Map<string, IpsetValue>();
    // In the order refreshHostSets writes them (should two sets ever share a name, the last one wins there too).
    for (const { g, e } of [...hostNeeds.values()].sort((a, b) => cmp(a.e, b.e) || cmp(a.g, b.g))) {
      sets.set(ipsetName(g, e), { sgId: g, ethertype: e, members: membersOf(g, e) });
    }
    out.set(host, sets);
  }
  return out;
}
