import type { L2Snapshot, LocalPortView, SecurityGroupRuleView } from '../../contract/l2-documents';
import { tapName } from './l2-plan';

/*
 * Security groups in the kernel, as Neutron's iptables firewall driver does it
 * (pure: text in, text out). Per port with port security, in the host's FORWARD
 * path through the bridge (br_netfilter):
 *   cp-sg          jumps to a port's chains by bridge port (physdev), and back;
 *   cpi-<port>     traffic to the VM: established and related pass, then the
 *                  ingress rules, then drop (default-deny ingress);
 *   cpo-<port>     traffic from the VM: only from its MAC with its IPs (or its
 *                  allowed address pairs), then to cps-<port>;
 *   cps-<port>     the egress rules, then drop.
 * An allowed packet RETURNs, so one between two ports of the host passes the
 * sender's egress and the receiver's ingress. A remote group is matched through
 * its ipset: a member change updates the set, and no rule.
 */

export const SG_CHAIN = 'cp-sg';

/** The ports filtered (those with port security), in id order, with their three chains' names. */
export function securedPorts(view: L2Snapshot): Array<{ portId: string; port: LocalPortView; cin: string; cout: string; csrc: string }> {
  return Object.entries(view.ports)
    .filter(([, p]) => p.port_security_enabled)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([portId, port]) => {
      const id = portId.slice(0, 11);
      return { portId, port, cin: `cpi-${id}`, cout: `cpo-${id}`, csrc: `cps-${id}` };
    });
}

export interface IpsetWant {
  family: 'inet' | 'inet6';
  members: Set<string>;
}

/** The sets the rules refer to: every set of the view (its name is Neutron's). */
export function desiredIpsets(view: L2Snapshot): Map<string, IpsetWant> {
  const sets = new Map<string, IpsetWant>();
  for (const [name, set] of Object.entries(view.ipsets)) {
    sets.set(name, { family: set.ethertype === 'IPv6' ? 'inet6' : 'inet', members: new Set(set.members) });
  }
  return sets;
}

/** `ipset restore` lines from the sets the host has (`now`) to those wanted; destroys come separately, after the rules. */
export function planIpsets(now: Map<string, Set<string>>, want: Map<string, IpsetWant>): { update: string[]; destroy: string[] } {
  const update: string[] = [];
  for (const [name, set] of want) {
    const had = now.get(name);
    if (!had) update.push(`create ${name} hash:net family ${set.family} -exist`);
    for (const m of had ?? []) if (!set.members.has(m)) update.push(`del ${name} ${m} -exist`);
    for (const m of set.members) if (!had?.has(m)) update.push(`add ${name} ${m} -exist`);
  }
  const destroy = [...now.keys()].filter((name) => !want.has(name)).map((name) => `destroy ${name}`);
  return { update, destroy };
}

/**
 * The whole `iptables-restore --noflush` input for one family: the agent's
 * chains declared (which empties them) and filled, and `stale` chains (the
 * agent's, of ports gone) emptied and removed, all in one atomic commit.
 */
export function firewallRules(view: L2Snapshot, family: 4 | 6, stale: string[]): string {
  const ethertype = family === 6 ? 'IPv6' : 'IPv4';
  const chains = [SG_CHAIN];
  const rules: string[] = [];
  for (const { portId, port, cin, cout, csrc } of securedPorts(view)) {
    chains.push(cin, cout, csrc);
    const tap = tapName(portId);
    rules.push(
      `-A ${SG_CHAIN} -m physdev --physdev-out ${tap} --physdev-is-bridged -j ${cin}`,
      `-A ${SG_CHAIN} -m physdev --physdev-in ${tap} --physdev-is-bridged -j ${cout}`,
      `-A ${cin} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`,
      `-A ${cin} -m conntrack --ctstate INVALID -j DROP`,
      ...matches(view, port, 'ingress', ethertype).map((m) => `-A ${cin} ${m ? `${m} ` : ''}-j RETURN`),
      `-A ${cin} -j DROP`,
      // --goto: the egress rules' RETURN goes back to cp-sg, not on to this chain's DROP.
      ...portAddresses(port, family).map((src) => `-A ${cout} -s ${src} -m mac --mac-source ${port.mac_address} -g ${csrc}`),
      `-A ${cout} -j DROP`,
      `-A ${csrc} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`,
      ...matches(view, port, 'egress', ethertype).map((m) => `-A ${csrc} ${m ? `${m} ` : ''}-j RETURN`),
      `-A ${csrc} -j DROP`,
    );
  }
  const gone = stale.filter((c) => !chains.includes(c));
  return ['*filter', ...[...chains, ...gone].map((c) => `:${c} - [0:0]`), ...rules, ...gone.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n');
}

/** A port's addresses of one family: it may send from them (fixed IPs, allowed address pairs' IPs or CIDRs), and is reached at them. */
export function portAddresses(port: LocalPortView, family: 4 | 6): string[] {
  return [...port.fixed_ips, ...port.allowed_address_pairs].filter((ip) => ip.includes(':') === (family === 6));
}

/** The rules of the port's groups in one direction. */
export function portRules(view: L2Snapshot, port: LocalPortView, direction: SecurityGroupRuleView['direction']): SecurityGroupRuleView[] {
  return port.security_groups.flatMap((group) => (view.security_groups[group] ?? []).filter((r) => r.direction === direction));
}

/** The name of the set a rule's remote group is matched through; undefined while the view has none. */
export function remoteSet(view: L2Snapshot, rule: SecurityGroupRuleView): string | undefined {
  return Object.entries(view.ipsets).find(([, s]) => s.security_group_id === rule.remote_group_id && s.ethertype === rule.ethertype)?.[0];
}

/** The distinct iptables matches of the port's rules in one direction and family (rules whose set is missing match nothing yet). */
function matches(view: L2Snapshot, port: LocalPortView, direction: SecurityGroupRuleView['direction'], ethertype: string): string[] {
  const out = portRules(view, port, direction)
    .filter((r) => r.ethertype === ethertype)
    .map((r) => ruleMatch(view, r));
  return [...new Set(out.filter((m): m is string => m !== null))];
}

/** iptables match arguments for one rule; null when it can match nothing yet (its remote group's set is not in the view). */
export function ruleMatch(view: L2Snapshot, rule: SecurityGroupRuleView): string | null {
  const parts: string[] = [];
  const peer = rule.direction === 'ingress' ? 's' : 'd';
  if (rule.remote_ip_prefix) parts.push(`-${peer} ${rule.remote_ip_prefix}`);
  if (rule.remote_group_id) {
    const set = remoteSet(view, rule);
    if (!set) return null;
    parts.push(`-m set --match-set ${set} ${rule.direction === 'ingress' ? 'src' : 'dst'}`);
  }
  parts.push(...protocolMatch(rule));
  return parts.join(' ');
}

function protocolMatch(rule: SecurityGroupRuleView): string[] {
  const proto = rule.protocol?.toLowerCase() ?? null;
  if (proto === null || proto === 'any' || proto === '0') return [];
  const { port_range_min: min, port_range_max: max } = rule;
  if (proto === 'icmp' || proto === 'ipv6-icmp' || proto === 'icmpv6' || proto === '1' || proto === '58') {
    const v6 = rule.ethertype === 'IPv6';
    const p = v6 ? ['-p', 'ipv6-icmp'] : ['-p', 'icmp'];
    // For ICMP, Neutron's port range is the type and the code.
    if (min === null) return p;
    const type = max === null ? `${min}` : `${min}/${max}`;
    return [...p, v6 ? '--icmpv6-type' : '--icmp-type', type];
  }
  const named = ['tcp', 'udp', 'sctp', 'udplite', 'dccp'].includes(proto);
  const base = ['-p', proto];
  if (!named || min === null) return base;
  const range = max === null || max === min ? `${min}` : `${min}:${max}`;
  return [...base, '-m', proto, '--dport', range];
}
