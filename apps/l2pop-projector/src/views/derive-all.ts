import { HA_INTERFACE_OWNER, cmp, ipFamily, ipsetName, isTunnelled, sortEntries, type Ethertype, type MacIp } from '../model/rules';
import { Inserter, type MemFacts } from '../projection/facts';
import type { Sql } from '@cp/store';
import type { Member, NetMeta } from './members';
import { L2_CLOCK } from '../model/tables';
import { memberships } from './set-members';
import type { Stamped } from './stamp';

/** Every row of a model replayed from scratch carries this seq, and every host this revision. */
const FIRST_SEQ = 1;

/**
 * Derives the per-network members, the per-group set members, which networks
 * and sets each host takes part in and which hosts have ports of their own from the facts of a model replayed from
 * scratch (its derived tables are empty). The rules are those of computeMember,
 * adjustSetMembers and refreshHostSets, applied to all keys at once from the
 * facts in memory instead of key by key with queries, so the rows are the ones
 * the incremental path arrives at.
 */
export async function deriveAll(q: Sql, facts: MemFacts): Promise<Stamped> {
  const members = deriveMembers(facts);
  const memberRows = new Inserter(q, 'l2_members', ['network_id', 'tunnel_ip', 'host', 'entries', 'joined', 'seq', 'deleted']);
  const fdbRows = new Inserter(q, 'l2_fdb', ['network_id', 'tunnel_ip', 'host', 'mac', 'ip', 'seq', 'deleted']);
  const hostNets = new Map<string, Array<[networkId: string, meta: NetMeta]>>();
  for (const [networkId, { meta, hosts }] of members) {
    for (const [host, m] of [...hosts].sort((a, b) => cmp(a[1].tunnelIp, b[1].tunnelIp) || cmp(a[0], b[0]))) {
      if (memberRows.push(networkId, m.tunnelIp, host, m.entries, FIRST_SEQ, FIRST_SEQ, 0)) await memberRows.flush();
      for (const [mac, ip] of JSON.parse(m.entries) as MacIp[]) {
        if (fdbRows.push(networkId, m.tunnelIp, host, mac, ip, FIRST_SEQ, 0)) await fdbRows.flush();
      }
      const list = hostNets.get(host);
      if (list) list.push([networkId, meta]);
      else hostNets.set(host, [[networkId, meta]]);
    }
  }
  await memberRows.flush();
  await fdbRows.flush();

  const { setIps, hostSets } = deriveIpsets(facts);
  const ips = new Inserter(q, 'l2_set_ips', ['sg_id', 'family', 'ip', 'refs', 'seq']);
  for (const [key, refs] of [...setIps].sort((a, b) => cmp(a[0], b[0]))) {
    const [sgId, family, ip] = key.split('\u0000');
    if (ips.push(sgId, Number(family), ip, refs, FIRST_SEQ)) await ips.flush();
  }
  await ips.flush();

  const nets = new Inserter(q, 'l2_host_nets', ['host', 'network_id', 'network_type', 'segmentation_id', 'seq', 'deleted']);
  const sets = new Inserter(q, 'l2_host_ipsets', ['host', 'name', 'sg_id', 'ethertype', 'seq', 'deleted']);
  const revs = new Inserter(q, 'l2_host_revs', ['host', 'rev', 'horizon']);
  const locals = new Inserter(q, 'l2_host_local', ['host', 'seq']);
  const withPorts = new Set<string>();
  for (const p of facts.ports.values()) if (p.host !== '') withPorts.add(p.host);
  // Host by host in key order, so the inserts append to the tables' primary keys.
  const hosts = [...new Set([...hostNets.keys(), ...hostSets.keys(), ...withPorts])].sort(cmp);
  for (const host of hosts) {
    for (const [networkId, meta] of (hostNets.get(host) ?? []).sort((a, b) => cmp(a[0], b[0]))) {
      if (nets.push(host, networkId, meta.type, meta.seg, FIRST_SEQ, 0)) await nets.flush();
    }
    for (const [name, s] of [...(hostSets.get(host) ?? [])].sort((a, b) => cmp(a[0], b[0]))) {
      if (sets.push(host, name, s.sgId, s.ethertype, FIRST_SEQ, 0)) await sets.flush();
    }
    if (withPorts.has(host) && locals.push(host, FIRST_SEQ)) await locals.flush();
    if (revs.push(host, FIRST_SEQ, 0)) await revs.flush();
  }
  await locals.flush();
  await nets.flush();
  await sets.flush();
  await revs.flush();
  return { epoch: await L2_CLOCK.ensureEpoch(q), seq: FIRST_SEQ, hosts };
}

/**
 * design.md §4 for every (network, host) at once (computeMember for each key):
 * tunnelled networks, hosts whose L2 agent has a tunnel IP (the lowest agent id
 * if several), ACTIVE ports other than HA replicated interfaces (entries from
 * their fixed IPs) or HA routers with an interface on the network (flood only).
 */
function deriveMembers(facts: MemFacts): Map<string, { meta: NetMeta; hosts: Map<string, Member> }> {
  const tunnelOf = new Map<string, string>();
  for (const [, a] of [...facts.agents].sort((x, y) => cmp(x[0], y[0]))) {
    if (a.tunnelIp !== null && !tunnelOf.has(a.host)) tunnelOf.set(a.host, a.tunnelIp);
  }
  const found = new Map<string, Map<string, MacIp[]>>();
  const entriesOf = (networkId: string, host: string): MacIp[] | null => {
    const net = facts.networks.get(networkId);
    if (!net || !isTunnelled(net.type) || !tunnelOf.has(host)) return null;
    let hosts = found.get(networkId);
    if (!hosts) found.set(networkId, (hosts = new Map<string, MacIp[]>()));
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

  const out = new Map<string, { meta: NetMeta; hosts: Map<string, Member> }>();
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

/**
 * Every group's member IPs with their reference counts (adjustSetMembers for
 * every port), and every host's sets (refreshHostSets for every host): host H
 * needs (G, E) when a port bound there is in a group with a rule naming remote
 * group G, ethertype E.
 */
function deriveIpsets(facts: MemFacts): {
  setIps: Map<string, number>;
  hostSets: Map<string, Map<string, { sgId: string; ethertype: Ethertype }>>;
} {
  const setIps = new Map<string, number>();
  // Per group: the (remote group, ethertype) pairs its rules name.
  const named = new Map<string, Array<{ g: string; e: Ethertype }>>();
  for (const r of facts.rules.values()) {
    if (r.remoteGroupId === null) continue;
    const list = named.get(r.sgId);
    if (list) list.push({ g: r.remoteGroupId, e: r.ethertype as Ethertype });
    else named.set(r.sgId, [{ g: r.remoteGroupId, e: r.ethertype as Ethertype }]);
  }
  const hostGroups = new Map<string, Set<string>>();
  for (const p of facts.ports.values()) {
    for (const { groupId, ip } of memberships(p).values()) {
      const key = `${groupId}\u0000${ipFamily(ip)}\u0000${ip}`;
      setIps.set(key, (setIps.get(key) ?? 0) + 1);
    }
    if (p.host === '') continue;
    for (const group of p.groups) {
      if (!named.has(group)) continue;
      const groups = hostGroups.get(p.host);
      if (groups) groups.add(group);
      else hostGroups.set(p.host, new Set([group]));
    }
  }
  const hostSets = new Map<string, Map<string, { sgId: string; ethertype: Ethertype }>>();
  for (const [host, groups] of hostGroups) {
    const needs = [...groups].flatMap((group) => named.get(group)!);
    const sets = new Map<string, { sgId: string; ethertype: Ethertype }>();
    // In the order refreshHostSets names them (should two sets share a name, the last one wins there too).
    for (const { g, e } of needs.sort((a, b) => cmp(a.e, b.e) || cmp(a.g, b.g))) sets.set(ipsetName(g, e), { sgId: g, ethertype: e });
    hostSets.set(host, sets);
  }
  return { setIps, hostSets };
}
