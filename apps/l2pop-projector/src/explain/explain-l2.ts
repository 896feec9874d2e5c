import type { DomainEvent } from '@cp/events';
import type { Database } from '@cp/store';
import type { L2Snapshot } from '../contract/l2-documents';
import { HA_INTERFACE_OWNER, isTunnelled } from '../model/rules';
import { L2Documents } from '../query/l2-documents';
import { Causes, type EventLookup, type Explanation } from '@cp/host-feed';

interface PortRow {
  id: string;
  host: string;
  active: number;
  device_owner: string;
}

/* What each kind of event contributed, by the resource it is about. */
const data = (e: DomainEvent) => e.data as Record<string, unknown>;
const NETWORK = {
  NetworkCreated: (e: DomainEvent) => `network created: ${String(data(e).networkType)} segment ${String(data(e).segmentationId)}`,
};
const portKinds = (what: string) => ({
  PortCreated: (e: DomainEvent) => `${what} created with MAC ${String(data(e).macAddress)}`,
  PortUpdated: (e: DomainEvent) => {
    const c = data(e).changes as Record<string, unknown>;
    const changed = ['macAddress', 'fixedIps', 'securityGroups', 'allowedAddressPairs'].filter((k) => k in c);
    return changed.length ? `${what} updated: ${changed.join(', ')}` : null;
  },
  PortBoundToHost: (e: DomainEvent) => `${what} bound to host ${String(data(e).host)}`,
  PortUnbound: () => `${what} unbound`,
  PortActivated: (e: DomainEvent) => `${what} reported up by host ${String(data(e).host)}'s agent`,
  PortDeactivated: () => `${what} reported down`,
  PortDeleted: () => `${what} deleted`,
});
const agentKinds = (tunnelIp: string) => ({
  AgentRegistered: (e: DomainEvent) =>
    data(e).tunnelIp === tunnelIp ? `L2 agent of host ${String(data(e).host)} registered with tunnel IP ${tunnelIp}` : null,
  AgentConfigurationChanged: (e: DomainEvent) =>
    data(e).tunnelIp === tunnelIp ? `L2 agent of host ${String(data(e).host)} now has tunnel IP ${tunnelIp}` : null,
});

/**
 * Provenance of a host's L2 document (design.md §4 read backwards): for an FDB
 * pair, a flood entry or an ipset member, the events that made it what it is,
 * or, when the entry is absent, the first condition it fails. Reads the model's
 * facts as they stand and the events about the resources they name.
 */
export class L2Explainer {
  private readonly docs: L2Documents;

  constructor(
    private readonly db: Database,
    private readonly events: EventLookup,
  ) {
    this.docs = new L2Documents(db);
  }

  /** An FDB pair (`mac` given) or a flood entry (`mac` absent) of `network` on `host`, behind `tunnelIp`. */
  async fdb(host: string, networkId: string, tunnelIp: string, mac?: string): Promise<Explanation> {
    const doc = await this.docs.snapshot(undefined, host, '');
    const net = doc.networks[networkId];
    const present = mac ? (net?.fdb[tunnelIp] ?? []).some(([m]) => m === mac) : (net?.flood.includes(tunnelIp) ?? false);
    const entry = { network: networkId, tunnel_ip: tunnelIp, ...(mac ? { mac } : {}) };
    const causes = new Causes(this.events);
    const answer = (absent?: string): Explanation => ({
      host,
      entry,
      present,
      because: causes.list(),
      ...(present ? {} : { absent_because: absent ?? 'the entry is not in the document' }),
    });

    const network = await this.db.get<{ network_type: string; segmentation_id: number | null }>(
      'SELECT network_type, segmentation_id FROM l2_networks WHERE id = ?',
      [networkId],
    );
    if (!network) return answer(`network ${networkId} does not exist`);
    await causes.add('network', networkId, NETWORK);
    if (!isTunnelled(network.network_type)) {
      return answer(`network ${networkId} is ${network.network_type}: only VXLAN, GRE and Geneve networks are populated`);
    }
    // The host takes part through a port of its own that is up, or an HA router with an interface there.
    const own = await this.activePorts(networkId, host);
    if (own[0]) await causes.add('port', own[0].id, portKinds(`port ${own[0].id} of host ${host}`));
    else if (!(await this.haRouterOn(networkId, host))) {
      return answer(`host ${host} has no port up on network ${networkId} (nor an HA router there): it takes no part in its L2 population`);
    }

    const agents = await this.db.all<{ id: string; host: string }>('SELECT id, host FROM l2_agents WHERE tunnel_ip = ?', [tunnelIp]);
    for (const a of agents) await causes.add('agent', a.id, agentKinds(tunnelIp));
    if (agents.length === 0) return answer(`no L2 agent is registered with tunnel IP ${tunnelIp}`);
    const remotes = agents.map((a) => a.host);

    if (!mac) {
      for (const remote of remotes) {
        const up = await this.activePorts(networkId, remote);
        if (up[0]) await causes.add('port', up[0].id, portKinds(`port ${up[0].id} of host ${remote}`));
      }
      if (remotes.every((r) => r === host)) return answer(`tunnel IP ${tunnelIp} is host ${host}'s own`);
      return answer(`host ${remotes.join(', ')} (tunnel IP ${tunnelIp}) has no port up on network ${networkId} (nor an HA router there)`);
    }

    const ports = await this.db.all<PortRow>('SELECT id, host, active, device_owner FROM l2_ports WHERE network_id = ? AND mac = ?', [
      networkId,
      mac,
    ]);
    if (ports.length === 0) return answer((await this.deleted(networkId, mac, causes)) ?? `no port on network ${networkId} has MAC ${mac}`);
    const port = ports.find((p) => remotes.includes(p.host)) ?? ports[0];
    await causes.add('port', port.id, portKinds(`port ${port.id}`));
    if (port.host === '') return answer(`port ${port.id} is not bound to any host`);
    if (port.host === host) return answer(`port ${port.id} is on host ${host} itself: a host has no FDB entries for its own ports`);
    if (!remotes.includes(port.host)) {
      const tunnel = await this.db.get<{ tunnel_ip: string | null }>(
        'SELECT tunnel_ip FROM l2_agents WHERE host = ? AND tunnel_ip IS NOT NULL ORDER BY id LIMIT 1',
        [port.host],
      );
      return answer(
        tunnel
          ? `port ${port.id} is on host ${port.host}, whose tunnel IP is ${tunnel.tunnel_ip}, not ${tunnelIp}`
          : `port ${port.id} is on host ${port.host}, which has no L2 agent with a tunnel IP`,
      );
    }
    if (port.device_owner === HA_INTERFACE_OWNER) {
      return answer(`port ${port.id} is an HA router's replicated interface: its MAC moves with VRRP, so hosts get flood entries only`);
    }
    if (Number(port.active) !== 1) return answer(`port ${port.id} is DOWN: host ${port.host}'s agent has not reported it up`);
    return answer();
  }

  /** A member (IP or CIDR) of the ipset `name` on `host`. */
  async ipsetMember(host: string, name: string, member: string): Promise<Explanation> {
    const doc: L2Snapshot = await this.docs.snapshot(undefined, host, '');
    const present = doc.ipsets[name]?.members.includes(member) ?? false;
    const causes = new Causes(this.events);
    const answer = (absent?: string): Explanation => ({
      host,
      entry: { ipset: name, member },
      present,
      because: causes.list(),
      ...(present ? {} : { absent_because: absent ?? 'the member is not in the set' }),
    });
    const set = await this.db.get<{ sg_id: string; ethertype: string }>(
      'SELECT sg_id, ethertype FROM l2_host_ipsets WHERE host = ? AND name = ? AND deleted = 0',
      [host, name],
    );
    if (!set)
      return answer(`host ${host} holds no set ${name}: no port of the host is in a group with a rule naming its group as remote group`);
    // Why the host holds it: one of its ports, in a group with a rule naming the set's group.
    const why = await this.db.get<{ port_id: string; rule_id: string; sg_id: string }>(
      `SELECT p.id AS port_id, r.id AS rule_id, r.sg_id FROM l2_ports p
         JOIN l2_port_sgs ps ON ps.port_id = p.id
         JOIN l2_sg_rules r ON r.sg_id = ps.sg_id AND r.remote_group_id = ? AND r.ethertype = ?
       WHERE p.host = ? ORDER BY p.id, r.id LIMIT 1`,
      [set.sg_id, set.ethertype, host],
    );
    if (why) {
      await causes.add('port', why.port_id, portKinds(`port ${why.port_id} of host ${host}`));
      await causes.add('security-group', why.rule_id, {
        SecurityGroupRuleCreated: () => `rule ${why.rule_id} of group ${why.sg_id} names group ${set.sg_id} as remote group`,
      });
    }
    const holders = await this.db.all<{ port_id: string }>(
      `SELECT i.port_id FROM l2_port_ips i JOIN l2_port_sgs s ON s.port_id = i.port_id AND s.sg_id = ?
       WHERE i.ip = ? ORDER BY i.port_id`,
      [set.sg_id, member],
    );
    for (const h of holders) await causes.add('port', h.port_id, portKinds(`port ${h.port_id} (in group ${set.sg_id}, address ${member})`));
    return answer(`no port of group ${set.sg_id} has address ${member}`);
  }

  private activePorts(networkId: string, host: string): Promise<PortRow[]> {
    return this.db.all<PortRow>(
      'SELECT id, host, active, device_owner FROM l2_ports WHERE network_id = ? AND host = ? AND active = 1 AND device_owner <> ? ORDER BY id',
      [networkId, host, HA_INTERFACE_OWNER],
    );
  }

  private async haRouterOn(networkId: string, host: string): Promise<boolean> {
    const row = await this.db.get(
      `SELECT 1 AS x FROM l2_router_hosts h JOIN l2_router_ifaces f ON f.router_id = h.router_id
         JOIN l2_routers r ON r.id = h.router_id AND r.ha = 1
       WHERE h.host = ? AND f.network_id = ? LIMIT 1`,
      [host, networkId],
    );
    return row !== undefined;
  }

  /** A port of that MAC on the network that no longer exists: its deletion is the reason. */
  private async deleted(networkId: string, mac: string, causes: Causes): Promise<string | null> {
    for (const id of await this.events.findResourceIds(['PortCreated', 'PortUpdated'], 'macAddress', mac)) {
      const last = (await this.events.readResources('port', [id])).at(-1);
      if (last?.type !== 'PortDeleted' || data(last).networkId !== networkId) continue;
      await causes.add('port', id, portKinds(`port ${id}`));
      return `port ${id}, which had MAC ${mac}, was deleted`;
    }
    return null;
  }
}
