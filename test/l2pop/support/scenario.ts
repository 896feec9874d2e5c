import type { DomainEventBody, NetworkType } from '@cp/events';
import * as e from './events';
import { HOSTS, type Action } from './scenario.arbs';

export { HOSTS, runArb } from './scenario.arbs';

/*
 * The property test's random commands (scenario.arbs.ts), turned into the events a
 * well-behaved command side would append (invalid commands are skipped, as a
 * decider would reject them). Indices pick among existing things modulo their count.
 */
const TYPES: NetworkType[] = ['vxlan', 'vxlan', 'gre', 'geneve', 'vlan', 'flat'];
const OWNERS = ['compute:nova', 'compute:nova', 'network:router_interface', e.HA_OWNER];

interface P {
  id: string;
  net: string;
  host: string;
  groups: string[];
}

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
  const ipsFor = (n: number, v6: boolean) =>
    Array.from({ length: n }, (_, j) => (v6 && j === 1 ? `fd00::${++seq}` : `10.${seq >> 8}.${++seq & 255}.${j + 1}`));

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
        const p: P = {
          id: `port${++seq}`,
          net: n.id,
          host: a.host === null ? '' : HOSTS[a.host],
          groups: [...new Set(a.groups.map((g) => pick(groups, g)!))],
        };
        ports.push(p);
        const pairs = Array.from({ length: a.pairs }, () => (a.v6 ? `fd20::${++seq}` : `172.16.${++seq & 255}.0/28`));
        out.push(
          e.port(p.id, n.id, {
            host: p.host,
            mac: `fa:16:3e:00:${(seq >> 8) & 255}:${seq & 255}`,
            ips: ipsFor(a.ips, a.v6),
            pairs,
            groups: p.groups,
            owner: OWNERS[a.owner],
          }),
        );
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
