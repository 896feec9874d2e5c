import type { DomainEventBody } from '@cp/events';

/*
 * A deliberately naive, independent reading of design.md §4: fold every
 * event into plain maps, then compute a host's view from scratch. No SQL, no
 * incremental maintenance; if the projection and this disagree, one is wrong.
 */
type Pair = [string, string];
export interface OracleView {
  networks: Record<string, { network_type: string; segmentation_id: number | null; flood: string[]; fdb: Record<string, Pair[]> }>;
  ipsets: Record<string, { security_group_id: string; ethertype: string; members: string[] }>;
  ports: Record<string, Record<string, unknown>>;
  security_groups: Record<string, Array<Record<string, unknown>>>;
}

interface Port {
  net: string;
  mac: string;
  host: string;
  active: boolean;
  owner: string;
  fixed: string[];
  pairs: string[];
  groups: string[];
  security: boolean;
}

export class Oracle {
  private readonly nets = new Map<string, { type: string; seg: number | null }>();
  private readonly ports = new Map<string, Port>();
  private readonly agents = new Map<string, { host: string; tunnel: string | null }>();
  private readonly rules = new Map<string, { sg: string; eth: string; remote: string | null; spec: Record<string, unknown> }>();
  private readonly routerHa = new Map<string, boolean>();
  private readonly ifaces = new Map<string, { router: string; net: string }>();
  private readonly routerHosts = new Set<string>(); // `${router} ${host}`

  constructor(events: DomainEventBody[]) {
    for (const ev of events) this.fold(ev);
  }

  private fold(ev: DomainEventBody): void {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the oracle reads every event's data by name, independently of the catalogue's types
    const d = ev.data as Record<string, any>;
    const port = this.ports.get(d.id);
    switch (ev.type) {
      case 'NetworkCreated':
        this.nets.set(d.id, { type: d.networkType, seg: d.segmentationId });
        break;
      case 'NetworkDeleted':
        this.nets.delete(d.id);
        break;
      case 'PortCreated':
        this.ports.set(d.id, {
          net: d.networkId,
          mac: d.macAddress,
          host: d.hostId,
          active: false,
          owner: d.deviceOwner,
          fixed: d.fixedIps.map((f: { ipAddress: string }) => f.ipAddress),
          pairs: d.allowedAddressPairs.map((p: { ipAddress: string }) => p.ipAddress),
          groups: d.securityGroups,
          security: d.portSecurityEnabled,
        });
        break;
      case 'PortUpdated':
        if (!port) break;
        if (d.changes.fixedIps) port.fixed = d.changes.fixedIps.map((f: { ipAddress: string }) => f.ipAddress);
        if (d.changes.securityGroups) port.groups = d.changes.securityGroups;
        if (d.changes.deviceOwner !== undefined) port.owner = d.changes.deviceOwner;
        if (d.changes.portSecurityEnabled !== undefined) port.security = d.changes.portSecurityEnabled;
        if (d.changes.macAddress !== undefined) port.mac = d.changes.macAddress;
        if (d.changes.allowedAddressPairs) port.pairs = d.changes.allowedAddressPairs.map((p: { ipAddress: string }) => p.ipAddress);
        break;
      case 'PortBoundToHost':
        if (port) {
          port.active = false;
          port.host = d.host;
        }
        break;
      case 'PortUnbound':
        if (port) {
          port.host = '';
          port.active = false;
        }
        break;
      case 'PortActivated':
        if (port && port.host === d.host) port.active = true;
        break;
      case 'PortDeactivated':
        if (port) port.active = false;
        break;
      case 'PortDeleted':
        this.ports.delete(d.id);
        break;
      case 'AgentRegistered':
      case 'AgentConfigurationChanged':
        this.agents.set(d.id, { host: d.host, tunnel: d.tunnelIp });
        break;
      case 'AgentDeleted':
        this.agents.delete(d.id);
        break;
      case 'SecurityGroupRuleCreated':
        this.rules.set(d.id, {
          sg: d.securityGroupId,
          eth: d.ethertype,
          remote: d.remoteGroupId,
          spec: {
            direction: d.direction,
            protocol: d.protocol,
            port_range_min: d.portRangeMin,
            port_range_max: d.portRangeMax,
            remote_ip_prefix: d.remoteIpPrefix,
          },
        });
        break;
      case 'SecurityGroupRuleDeleted':
        this.rules.delete(d.id);
        break;
      case 'SecurityGroupDeleted':
        for (const [id, r] of this.rules) if (r.sg === d.id) this.rules.delete(id);
        break;
      case 'RouterCreated':
        this.routerHa.set(d.id, d.ha);
        break;
      case 'RouterUpdated':
        if (d.changes.ha !== undefined) this.routerHa.set(d.id, d.changes.ha);
        break;
      case 'RouterDeleted':
        this.routerHa.delete(d.id);
        for (const [k, i] of this.ifaces) if (i.router === d.id) this.ifaces.delete(k);
        for (const k of this.routerHosts) if (k.startsWith(`${d.id} `)) this.routerHosts.delete(k);
        break;
      case 'RouterInterfaceAdded':
        this.ifaces.set(`${d.id} ${d.portId}`, { router: d.id, net: d.networkId });
        break;
      case 'RouterInterfaceRemoved':
        this.ifaces.delete(`${d.id} ${d.portId}`);
        break;
      case 'RouterScheduledToAgent':
        this.routerHosts.add(`${d.routerId} ${d.host}`);
        break;
      case 'RouterUnscheduledFromAgent':
        this.routerHosts.delete(`${d.routerId} ${d.host}`);
        break;
      default:
        break;
    }
  }

  private tunnelOf(host: string): string | null {
    const ids = [...this.agents.keys()].filter((id) => this.agents.get(id)!.host === host && this.agents.get(id)!.tunnel).sort();
    return ids.length ? this.agents.get(ids[0])!.tunnel : null;
  }

  /** host -> [tunnel, entries] for every host taking part in the network. */
  private members(net: string): Map<string, [string, Pair[]]> {
    const out = new Map<string, [string, Pair[]]>();
    const hosts = new Set([...this.ports.values()].map((p) => p.host));
    for (const k of this.routerHosts) hosts.add(k.split(' ')[1]);
    for (const host of hosts) {
      const tunnel = host ? this.tunnelOf(host) : null;
      if (!tunnel) continue;
      const counted = [...this.ports.values()].filter(
        (p) => p.net === net && p.host === host && p.active && p.owner !== 'network:ha_router_replicated_interface',
      );
      const ha = [...this.ifaces.values()].some(
        (i) => i.net === net && this.routerHa.get(i.router) === true && this.routerHosts.has(`${i.router} ${host}`),
      );
      if (counted.length || ha) out.set(host, [tunnel, counted.flatMap((p) => p.fixed.map((ip) => [p.mac, ip] as Pair))]);
    }
    return out;
  }

  view(host: string): OracleView {
    const view: OracleView = { networks: {}, ipsets: {}, ports: {}, security_groups: {} };
    for (const [id, net] of this.nets) {
      if (!['vxlan', 'gre', 'geneve'].includes(net.type)) continue;
      const members = this.members(id);
      if (!members.has(host)) continue;
      const fdb: Record<string, Pair[]> = {};
      const flood = new Set<string>();
      for (const [other, [tunnel, entries]] of members) {
        if (other === host) continue;
        flood.add(tunnel);
        if (entries.length)
          fdb[tunnel] = [...(fdb[tunnel] ?? []), ...entries].sort((a, b) => (a[0] + ' ' + a[1] < b[0] + ' ' + b[1] ? -1 : 1));
      }
      view.networks[id] = { network_type: net.type, segmentation_id: net.seg, flood: [...flood].sort(), fdb };
    }
    const byId = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : 1);
    for (const [id, p] of [...this.ports].sort(byId)) {
      if (p.host !== host) continue;
      const net = this.nets.get(p.net);
      const sorted = (xs: string[]) => [...new Set(xs)].sort();
      view.ports[id] = {
        network_id: p.net,
        network_type: net?.type ?? '',
        segmentation_id: net?.seg ?? null,
        mac_address: p.mac,
        fixed_ips: sorted(p.fixed),
        allowed_address_pairs: sorted(p.pairs),
        security_groups: sorted(p.groups),
        port_security_enabled: p.security,
        device_owner: p.owner,
      };
      for (const g of sorted(p.groups)) {
        view.security_groups[g] = [...this.rules]
          .filter(([, r]) => r.sg === g)
          .sort(byId)
          .map(([ruleId, r]) => ({ id: ruleId, ethertype: r.eth, remote_group_id: r.remote, ...r.spec }));
      }
      for (const r of this.rules.values()) {
        if (!r.remote || !p.groups.includes(r.sg)) continue;
        const ips = [...this.ports.values()].filter((q) => q.groups.includes(r.remote!)).flatMap((q) => [...q.fixed, ...q.pairs]);
        const members = [...new Set(ips.filter((ip) => ip.includes(':') === (r.eth === 'IPv6')))].sort();
        view.ipsets[`N${r.eth}${r.remote}`.slice(0, 29)] = { security_group_id: r.remote, ethertype: r.eth, members };
      }
    }
    return view;
  }
}
