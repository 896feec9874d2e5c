import type { L2Snapshot, LocalPortView, SecurityGroupRuleView } from '../../contract/l2-documents';
import { desiredIpsets, portAddresses, portRules, remoteSet, securedPorts, type IpsetWant } from './firewall-plan';
import { bridgeName } from './l2-plan';

/*
 * The security groups of firewall-plan.ts for a kernel without ipset: one
 * nftables table, `inet cp_sg`, with the groups' sets and the same chains per
 * port. nftables' inet forward hook sees bridged traffic with the bridge as
 * its interface, not the bridge port (no physdev), so a port's chains are
 * entered by its addresses on its network's bridge: traffic to its IPs, and
 * traffic from its MAC. (Pure: the agent runs the script with `nft -f -`.)
 */

export const NFT_TABLE = 'cp_sg';
const T = `inet ${NFT_TABLE}`;

export interface NftPlan {
  script: string[];
  sets: Map<string, Set<string>>;
  rules: string;
  members: number;
  rewritten: boolean;
}

/**
 * From the sets the table has and the rules last written: element changes
 * when only members changed, otherwise the whole table replaced in one
 * transaction (conntrack keeps the established connections).
 */
export function nftPlan(view: L2Snapshot, now: Map<string, Set<string>>, lastRules: string | null): NftPlan {
  const want = desiredIpsets(view);
  const rules = nftRules(view);
  const sets = new Map([...want].map(([name, s]) => [name, s.members]));
  if (rules !== lastRules) {
    const members = [...want.values()].reduce((n, s) => n + s.members.size, 0);
    const script = [`table ${T} {}`, `delete table ${T}`, `table ${T} {`, ...[...want].map(([name, s]) => setDecl(name, s)), rules, '}'];
    return { script, sets, rules, members, rewritten: true };
  }
  const script: string[] = [];
  for (const [name, s] of want) {
    const had = now.get(name);
    if (!had) script.push(`add set ${T} ${name} { ${setType(s)} }`);
    const gone = [...(had ?? [])].filter((m) => !s.members.has(m));
    const added = [...s.members].filter((m) => !had?.has(m));
    if (gone.length) script.push(`delete element ${T} ${name} { ${gone.join(', ')} }`);
    if (added.length) script.push(`add element ${T} ${name} { ${added.join(', ')} }`);
  }
  for (const name of now.keys()) if (!want.has(name)) script.push(`delete set ${T} ${name}`);
  const members = script.reduce((n, line) => n + (line.includes('element') ? line.split(',').length : 1), 0);
  return { script, sets, rules, members, rewritten: false };
}

function setType(s: IpsetWant): string {
  return `type ${s.family === 'inet6' ? 'ipv6_addr' : 'ipv4_addr'}; flags interval; auto-merge;`;
}

function setDecl(name: string, s: IpsetWant): string {
  const elements = s.members.size ? ` elements = { ${[...s.members].join(', ')} }` : '';
  return `  set ${name} { ${setType(s)}${elements} }`;
}

/** The table's chains and rules (without the sets' members, so member changes leave it equal). */
export function nftRules(view: L2Snapshot): string {
  const hook: string[] = [];
  const chains: string[] = [];
  for (const { port, cin, cout, csrc } of securedPorts(view)) {
    const bridge = `"${bridgeName(port.network_id)}"`;
    const v4 = portAddresses(port, 4);
    const v6 = portAddresses(port, 6);
    if (v4.length) hook.push(`oifname ${bridge} ip daddr { ${v4.join(', ')} } jump ${cin}`);
    if (v6.length) hook.push(`oifname ${bridge} ip6 daddr { ${v6.join(', ')} } jump ${cin}`);
    hook.push(`iifname ${bridge} ether saddr ${port.mac_address} jump ${cout}`);
    chains.push(
      chain(cin, [
        'ct state established,related return',
        'ct state invalid drop',
        ...matches(view, port, 'ingress').map((m) => `${m} return`),
        'drop',
      ]),
      chain(cout, [
        // goto: the egress rules' return goes back to the hook, not on to this chain's drop.
        ...(v4.length ? [`ip saddr { ${v4.join(', ')} } goto ${csrc}`] : []),
        ...(v6.length ? [`ip6 saddr { ${v6.join(', ')} } goto ${csrc}`] : []),
        'drop',
      ]),
      chain(csrc, ['ct state established,related return', ...matches(view, port, 'egress').map((m) => `${m} return`), 'drop']),
    );
  }
  return [chain('forward', ['type filter hook forward priority filter; policy accept;', ...hook]), ...chains].join('\n');
}

function chain(name: string, lines: string[]): string {
  return [`  chain ${name} {`, ...lines.map((l) => `    ${l}`), '  }'].join('\n');
}

/** The distinct nft matches of the port's rules in one direction, both families (each match names its own). */
function matches(view: L2Snapshot, port: LocalPortView, direction: SecurityGroupRuleView['direction']): string[] {
  const out = portRules(view, port, direction).map((r) => nftRuleMatch(view, r));
  return [...new Set(out.filter((m): m is string => m !== null))];
}

/** nft match expression for one rule; null when its remote group's set is not in the view yet. */
export function nftRuleMatch(view: L2Snapshot, rule: SecurityGroupRuleView): string | null {
  const v6 = rule.ethertype === 'IPv6';
  const ip = v6 ? 'ip6' : 'ip';
  const peer = rule.direction === 'ingress' ? 'saddr' : 'daddr';
  const parts = [`meta nfproto ${v6 ? 'ipv6' : 'ipv4'}`];
  if (rule.remote_ip_prefix) parts.push(`${ip} ${peer} ${rule.remote_ip_prefix}`);
  if (rule.remote_group_id) {
    const set = remoteSet(view, rule);
    if (!set) return null;
    parts.push(`${ip} ${peer} @${set}`);
  }
  const proto = rule.protocol?.toLowerCase() ?? null;
  const { port_range_min: min, port_range_max: max } = rule;
  if (proto === null || proto === 'any' || proto === '0') return parts.join(' ');
  if (['icmp', 'ipv6-icmp', 'icmpv6', '1', '58'].includes(proto)) {
    const icmp = v6 ? 'icmpv6' : 'icmp';
    if (min === null) parts.push(`meta l4proto ${v6 ? 'ipv6-icmp' : 'icmp'}`);
    else parts.push(`${icmp} type ${min}`, ...(max === null ? [] : [`${icmp} code ${max}`]));
  } else if (['tcp', 'udp', 'sctp', 'udplite', 'dccp'].includes(proto) && min !== null) {
    parts.push(`${proto} dport ${max === null || max === min ? min : `${min}-${max}`}`);
  } else {
    parts.push(`meta l4proto ${proto}`);
  }
  return parts.join(' ');
}
