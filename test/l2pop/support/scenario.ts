import fc from 'fast-check';
import type { DomainEventBody, NetworkType } from '../../../libs/events/src';
import * as e from './events';

/*
 * Random command sequences for the property test, turned into the events a
 * well-behaved command side would append (invalid commands are skipped, as a
 * decider would reject them). Indices pick among existing things modulo their count.
 */
export const HOSTS = ['h0', 'h1', 'h2', 'h3', 'h4'];
const TYPES: NetworkType[] = ['vxlan', 'vxlan', 'gre', 'geneve', 'vlan', 'flat'];
const OWNERS = ['compute:nova', 'compute:nova', 'network:router_interface', e.HA_OWNER];

const ix = fc.nat(1000);
export type Action =
  | { k: 'agent'; host: number; tunnel: number | null; l3: boolean }
  | { k: 'agentDelete'; host: number; l3: boolean }
  | { k: 'network'; type: number }
  | { k: 'networkDelete'; net: number }
  | { k: 'port'; net: number; host: number | null; groups: number[]; ips: number; v6: boolean; pairs: number; owner: number; up: boolean }
  | { k: 'bind' | 'staleUp'; port: number; host: number }
  | { k: 'unbind' | 'up' | 'down' | 'deletePort'; port: number }
  | { k: 'updatePort'; port: number; groups: number[] | null; ips: number | null }
  | { k: 'group' }
  | { k: 'rule'; group: number; remote: number | null; v6: boolean }
  | { k: 'ruleDelete' | 'groupDelete'; item: number }
  | { k: 'router'; ha: boolean }
  | { k: 'iface' | 'schedule' | 'unschedule' | 'ifaceRemove' | 'routerDelete'; router: number; item: number };

const host = fc.nat(HOSTS.length - 1);
export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('agent' as const), host, tunnel: fc.option(fc.nat(6)), l3: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('agentDelete' as const), host, l3: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('network' as const), type: fc.nat(TYPES.length - 1) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('networkDelete' as const), net: ix }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant('port' as const), net: ix, host: fc.option(host, { freq: 6 }), groups: fc.array(ix, { maxLength: 2 }),
      ips: fc.nat(2), v6: fc.boolean(), pairs: fc.nat(1), owner: fc.nat(OWNERS.length - 1), up: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(false)),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ k: fc.constantFrom('bind' as const, 'staleUp' as const), port: ix, host }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('up' as const), port: ix }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constantFrom('unbind' as const, 'down' as const, 'deletePort' as const), port: ix }), weight: 2 },
  {
    arbitrary: fc.record({ k: fc.constant('updatePort' as const), port: ix, groups: fc.option(fc.array(ix, { maxLength: 2 })), ips: fc.option(fc.nat(2)) }),
    weight: 2,
  },
  { arbitrary: fc.record({ k: fc.constant('group' as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('rule' as const), group: ix, remote: fc.option(ix), v6: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constantFrom('ruleDelete' as const, 'groupDelete' as const), item: ix }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('router' as const), ha: fc.boolean() }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constantFrom('iface' as const, 'schedule' as const, 'schedule' as const, 'unschedule' as const, 'ifaceRemove' as const, 'routerDelete' as const),
      router: ix, item: ix,
    }),
    weight: 3,
  },
);

/**
 * A run: every host registers an L2 agent (a few without a tunnel IP) and a network or two exist first (in
 * the command order; the interleaving may still deliver them after the ports),
 * then random commands. Without the prelude few ports would ever count.
 */
export const runArb: fc.Arbitrary<Action[]> = fc
  .tuple(
    fc.tuple(...HOSTS.map((_, i) => fc.record({ k: fc.constant('agent' as const), host: fc.constant(i), tunnel: fc.option(fc.nat(6), { freq: 8 }), l3: fc.constant(false) }))),
    fc.array(fc.record({ k: fc.constant('network' as const), type: fc.nat(TYPES.length - 1) }), { minLength: 1, maxLength: 3 }),
    fc.array(actionArb, { minLength: 20, maxLength: 60, size: 'max' }),
  )
  .map(([agents, networks, rest]) => [...agents, ...networks, ...rest]);

interface P { id: string; net: string; host: string; groups: string[] }

/** Folds actions into event bodies, tracking just enough to keep them valid. */
export function toEvents(actions: Action[]): DomainEventBody[] {
  const out: DomainEventBody[] = [];
  const agents = new Set<string>();
  const nets: Array<{ id: string; type: NetworkType }> = [];
  const ports: P[] = [];
  const groups: string[] = ['sg0'];
  const rules: Array<{ id: string; group: string }> = [];
  const routers: Array<{ id: string; ifaces: Array<{ port: string; net: string }>; hosts: string[] }> = [];
  let seq = 0;
  out.push(...e.defaultGroup('sg0'));
  rules.push(...['in4', 'in6', 'out4', 'out6'].map((s) => ({ id: `sg0-${s}`, group: 'sg0' })));
  const pick = <T>(list: T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);
  const ipsFor = (n: number, v6: boolean) => Array.from({ length: n }, (_, j) => (v6 && j === 1 ? `fd00::${++seq}` : `10.${seq >> 8}.${++seq & 255}.${j + 1}`));

  for (const a of actions) {
    switch (a.k) {
      case 'agent': {
        const type = a.l3 ? 'L3 agent' : e.L2_AGENT;
        const key = `${type}/${HOSTS[a.host]}`;
        const tunnel = a.l3 || a.tunnel === null ? null : `192.0.2.${a.tunnel + 1}`;
        out.push(agents.has(key) ? e.agentChanged(HOSTS[a.host], tunnel, type) : e.agent(HOSTS[a.host], tunnel, type));
        agents.add(key);
        break;
      }
      case 'agentDelete': {
        const type = a.l3 ? 'L3 agent' : e.L2_AGENT;
        if (agents.delete(`${type}/${HOSTS[a.host]}`)) out.push(e.agentDeleted(HOSTS[a.host], type));
        break;
      }
      case 'network': {
        const n = { id: `n${++seq}`, type: TYPES[a.type] };
        nets.push(n);
        out.push(e.network(n.id, n.type, 100 + nets.length));
        break;
      }
      case 'networkDelete': {
        const n = pick(nets, a.net);
        if (!n || ports.some((p) => p.net === n.id) || routers.some((r) => r.ifaces.some((i) => i.net === n.id))) break;
        nets.splice(nets.indexOf(n), 1);
        out.push(e.networkDeleted(n.id, n.type, null));
        break;
      }
      case 'port': {
        const n = pick(nets, a.net);
        if (!n) break;
        const p: P = { id: `port${++seq}`, net: n.id, host: a.host === null ? '' : HOSTS[a.host], groups: [...new Set(a.groups.map((g) => pick(groups, g)!))] };
        ports.push(p);
        const pairs = Array.from({ length: a.pairs }, () => (a.v6 ? `fd20::${++seq}` : `172.16.${++seq & 255}.0/28`));
        out.push(e.port(p.id, n.id, { host: p.host, mac: `fa:16:3e:00:${(seq >> 8) & 255}:${seq & 255}`, ips: ipsFor(a.ips, a.v6), pairs, groups: p.groups, owner: OWNERS[a.owner] }));
        if (a.up && p.host) out.push(e.up(p.id, n.id, p.host));
        break;
      }
      case 'bind':
      case 'staleUp': {
        const p = pick(ports, a.port);
        if (!p) break;
        if (a.k === 'staleUp') {
          out.push(e.up(p.id, p.net, HOSTS[a.host]));
          break;
        }
        out.push(e.bound(p.id, p.net, HOSTS[a.host], p.host));
        p.host = HOSTS[a.host];
        break;
      }
      case 'unbind':
      case 'up':
      case 'down':
      case 'deletePort': {
        const p = pick(ports, a.port);
        if (!p) break;
        if (a.k === 'unbind' && p.host) out.push(e.unbound(p.id, p.net, p.host));
        if (a.k === 'unbind') p.host = '';
        if (a.k === 'up' && p.host) out.push(e.up(p.id, p.net, p.host));
        if (a.k === 'down') out.push(e.down(p.id, p.net, p.host));
        if (a.k === 'deletePort') {
          out.push(e.portDeleted(p.id, p.net, p.host));
          ports.splice(ports.indexOf(p), 1);
        }
        break;
      }
      case 'updatePort': {
        const p = pick(ports, a.port);
        if (!p) break;
        const changes: Parameters<typeof e.portUpdated>[2] = {};
        if (a.groups) changes.securityGroups = p.groups = [...new Set(a.groups.map((g) => pick(groups, g)!))];
        if (a.ips !== null) changes.fixedIps = e.fixedIps(p.net, ipsFor(a.ips, false));
        out.push(e.portUpdated(p.id, p.net, changes));
        break;
      }
      case 'group':
        groups.push(`sg${++seq}`);
        out.push(e.group(groups[groups.length - 1]));
        break;
      case 'rule': {
        const g = pick(groups, a.group)!;
        const id = `rule${++seq}`;
        rules.push({ id, group: g });
        out.push(e.rule(id, g, a.remote === null ? null : pick(groups, a.remote)!, a.v6 ? 'IPv6' : 'IPv4'));
        break;
      }
      case 'ruleDelete': {
        const r = pick(rules, a.item);
        if (!r) break;
        rules.splice(rules.indexOf(r), 1);
        out.push(e.ruleDeleted(r.id, r.group));
        break;
      }
      case 'groupDelete': {
        const g = pick(groups, a.item);
        // In use: Neutron answers 409 and nothing is appended.
        if (!g || g === 'sg0' || ports.some((p) => p.groups.includes(g))) break;
        groups.splice(groups.indexOf(g), 1);
        for (const r of rules.filter((r) => r.group === g)) rules.splice(rules.indexOf(r), 1);
        out.push(e.groupDeleted(g));
        break;
      }
      case 'router':
        routers.push({ id: `r${++seq}`, ifaces: [], hosts: [] });
        out.push(e.router(routers[routers.length - 1].id, a.ha));
        break;
      default: {
        const r = pick(routers, a.router);
        if (!r) break;
        if (a.k === 'iface') {
          const n = pick(nets, a.item);
          if (!n) break;
          r.ifaces.push({ port: `rp${++seq}`, net: n.id });
          out.push(e.iface(r.id, `rp${seq}`, n.id));
        } else if (a.k === 'ifaceRemove') {
          const i = pick(r.ifaces, a.item);
          if (!i) break;
          r.ifaces.splice(r.ifaces.indexOf(i), 1);
          out.push(e.iface(r.id, i.port, i.net, true));
        } else if (a.k === 'schedule') {
          const h = HOSTS[a.item % HOSTS.length];
          if (r.hosts.includes(h)) break;
          r.hosts.push(h);
          out.push(e.scheduled(r.id, h));
        } else if (a.k === 'unschedule') {
          const h = pick(r.hosts, a.item);
          if (!h) break;
          r.hosts.splice(r.hosts.indexOf(h), 1);
          out.push(e.unscheduled(r.id, h));
        } else {
          for (const i of r.ifaces) out.push(e.iface(r.id, i.port, i.net, true));
          for (const h of r.hosts) out.push(e.unscheduled(r.id, h));
          out.push(e.routerDeleted(r.id));
          routers.splice(routers.indexOf(r), 1);
        }
      }
    }
  }
  return out;
}
