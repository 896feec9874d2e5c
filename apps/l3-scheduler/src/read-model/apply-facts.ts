import type { DomainEvent, EventType } from '@cp/events';
import { HA_DEVICE_OWNER } from '@cp/domain';
import { L3_AGENT_TYPE } from '../scheduler/facts';
import type { Sql } from '@cp/store';
import type { ItemImpact } from '@cp/host-feed';

export const HANDLED_EVENTS: readonly EventType[] = [
  'RouterCreated',
  'RouterUpdated',
  'RouterDeleted',
  'RouterInterfaceAdded',
  'RouterInterfaceRemoved',
  'RouterGatewaySet',
  'RouterGatewayCleared',
  'FloatingIpAssociated',
  'FloatingIpDisassociated',
  'FloatingIpDeleted',
  'SubnetCreated',
  'SubnetUpdated',
  'SubnetDeleted',
  'PortCreated',
  'PortDeleted',
  'AgentRegistered',
  'AgentConfigurationChanged',
  'AgentAlive',
  'AgentDead',
  'AgentAdminStateChanged',
  'AgentDeleted',
  'HaNetworkCreated',
  'VridAllocated',
  'VridReleased',
  'RouterScheduledToAgent',
  'RouterUnscheduledFromAgent',
  'RouterSchedulingPending',
  'RouterHaStateReported',
];

const flag = (b: boolean) => (b ? 1 : 0);

/**
 * Writes one event into the normalised tables. Each statement touches rows by
 * their own key and tolerates missing neighbours: an interface may name a subnet
 * not seen yet, a binding an agent not registered yet.
 */
export async function applyFacts(q: Sql, e: DomainEvent, impact: ItemImpact): Promise<void> {
  switch (e.type) {
    case 'RouterCreated': {
      const d = e.data;
      await q.upsert(
        'l3_routers',
        { id: d.id },
        { project_id: d.projectId, name: d.name, description: d.description, admin_state_up: flag(d.adminStateUp), ha: flag(d.ha) },
      );
      return;
    }
    case 'RouterUpdated': {
      const c = e.data.changes;
      const set: Record<string, unknown> = {};
      if (c.name !== undefined) set.name = c.name;
      if (c.description !== undefined) set.description = c.description;
      if (c.adminStateUp !== undefined) set.admin_state_up = flag(c.adminStateUp);
      if (c.ha !== undefined) set.ha = flag(c.ha);
      await q.update('l3_routers', set, { id: e.data.id });
      if (c.ha === false) await q.run('DELETE FROM l3_pending WHERE router_id = ?', [e.data.id]);
      impact.items.add(e.data.id);
      return;
    }
    case 'RouterDeleted':
      for (const t of ['l3_router_ifaces', 'l3_router_iface_subnets', 'l3_router_gateways', 'l3_pending']) {
        await q.run(`DELETE FROM ${t} WHERE router_id = ?`, [e.data.id]);
      }
      await q.run('DELETE FROM l3_routers WHERE id = ?', [e.data.id]);
      impact.items.add(e.data.id);
      return;
    case 'RouterInterfaceAdded':
      await q.upsert('l3_router_ifaces', { router_id: e.data.id, port_id: e.data.portId }, { network_id: e.data.networkId });
      for (const s of e.data.subnetIds)
        await q.upsert('l3_router_iface_subnets', { router_id: e.data.id, port_id: e.data.portId, subnet_id: s }, {});
      impact.items.add(e.data.id);
      return;
    case 'RouterInterfaceRemoved':
      await q.run('DELETE FROM l3_router_ifaces WHERE router_id = ? AND port_id = ?', [e.data.id, e.data.portId]);
      await q.run('DELETE FROM l3_router_iface_subnets WHERE router_id = ? AND port_id = ?', [e.data.id, e.data.portId]);
      impact.items.add(e.data.id);
      return;
    case 'RouterGatewaySet': {
      const d = e.data;
      await q.upsert(
        'l3_router_gateways',
        { router_id: d.id },
        {
          network_id: d.networkId,
          port_id: d.portId,
          enable_snat: flag(d.enableSnat),
          external_fixed_ips: JSON.stringify(d.externalFixedIps),
        },
      );
      impact.items.add(d.id);
      return;
    }
    case 'RouterGatewayCleared':
      await q.run('DELETE FROM l3_router_gateways WHERE router_id = ?', [e.data.id]);
      impact.items.add(e.data.id);
      return;
    case 'FloatingIpAssociated':
    case 'FloatingIpDisassociated':
    case 'FloatingIpDeleted': {
      // The router it left (a re-association may move it) and the one it joined both change.
      const before = await q.get<{ router_id: string }>('SELECT router_id FROM l3_floating_ips WHERE id = ?', [e.data.id]);
      if (before) impact.items.add(before.router_id);
      if (e.type !== 'FloatingIpAssociated') {
        await q.run('DELETE FROM l3_floating_ips WHERE id = ?', [e.data.id]);
        return;
      }
      const d = e.data;
      await q.upsert(
        'l3_floating_ips',
        { id: d.id },
        {
          router_id: d.routerId,
          floating_ip: d.floatingIpAddress,
          fixed_ip: d.fixedIpAddress,
          port_id: d.portId,
        },
      );
      impact.items.add(d.routerId);
      return;
    }
    case 'SubnetCreated':
      await q.upsert('l3_subnets', { id: e.data.id }, { network_id: e.data.networkId, cidr: e.data.cidr, gateway_ip: e.data.gatewayIp });
      return routersOnSubnet(q, e.data.id, impact);
    case 'SubnetUpdated':
      if (e.data.changes.gatewayIp === undefined) return;
      await q.run('UPDATE l3_subnets SET gateway_ip = ? WHERE id = ?', [e.data.changes.gatewayIp, e.data.id]);
      return routersOnSubnet(q, e.data.id, impact);
    case 'SubnetDeleted':
      await q.run('DELETE FROM l3_subnets WHERE id = ?', [e.data.id]);
      return routersOnSubnet(q, e.data.id, impact);
    case 'PortCreated':
      if (e.data.deviceOwner !== HA_DEVICE_OWNER) return;
      await q.upsert(
        'l3_ha_ports',
        { id: e.data.id },
        {
          network_id: e.data.networkId,
          mac: e.data.macAddress,
          ip: e.data.fixedIps[0]?.ipAddress ?? '',
          host: e.data.hostId,
        },
      );
      return routersOfHaPort(q, e.data.id, impact);
    case 'PortDeleted':
      if ((await q.run('DELETE FROM l3_ha_ports WHERE id = ?', [e.data.id])) > 0) await routersOfHaPort(q, e.data.id, impact);
      return;
    case 'HaNetworkCreated': {
      const d = e.data;
      await q.upsert(
        'l3_ha_networks',
        { id: d.id },
        { project_id: d.projectId, network_id: d.networkId, subnet_id: d.subnetId, cidr: d.cidr, name: d.name, idx: d.index },
      );
      const rows = await q.all<{ router_id: string }>('SELECT router_id FROM l3_vrids WHERE ha_network_id = ?', [d.id]);
      for (const r of rows) impact.items.add(r.router_id);
      return;
    }
    case 'VridAllocated':
      await q.upsert('l3_vrids', { router_id: e.data.routerId }, { ha_network_id: e.data.haNetworkId, vrid: e.data.vrid });
      impact.items.add(e.data.routerId);
      return;
    case 'VridReleased':
      await q.run('DELETE FROM l3_vrids WHERE router_id = ? AND ha_network_id = ? AND vrid = ?', [
        e.data.routerId,
        e.data.haNetworkId,
        e.data.vrid,
      ]);
      impact.items.add(e.data.routerId);
      return;
    case 'RouterScheduledToAgent': {
      const d = e.data;
      await q.upsert(
        'l3_bindings',
        { router_id: d.routerId, agent_id: d.agentId },
        {
          host: d.host,
          project_id: d.projectId,
          priority: d.priority,
          ha_port_id: d.haPortId,
          // An HA instance starts as standby until keepalived says otherwise; a legacy router's one instance is the router.
          state: d.haPortId ? 'standby' : 'active',
          state_pos: 0,
        },
      );
      await q.run('DELETE FROM l3_pending WHERE router_id = ?', [d.routerId]);
      // A new binding starts as standby: the other hosts' documents (active host, split-brain) stay as they are.
      impact.one.push({ host: d.host, item: d.routerId });
      return;
    }
    case 'RouterUnscheduledFromAgent': {
      const d = e.data;
      await q.run('DELETE FROM l3_bindings WHERE router_id = ? AND agent_id = ?', [d.routerId, d.agentId]);
      if (!(await q.get('SELECT 1 AS x FROM l3_bindings WHERE router_id = ?', [d.routerId]))) {
        await q.run('DELETE FROM l3_pending WHERE router_id = ?', [d.routerId]);
      }
      impact.left.push({ host: d.host, item: d.routerId });
      impact.items.add(d.routerId);
      return;
    }
    case 'RouterSchedulingPending':
      await q.upsert('l3_pending', { router_id: e.data.routerId }, { reason: e.data.reason });
      return;
    case 'RouterHaStateReported':
      await q.run('UPDATE l3_bindings SET state = ?, state_pos = ? WHERE router_id = ? AND host = ?', [
        e.data.state,
        e.metadata.position ?? 0,
        e.data.routerId,
        e.data.host,
      ]);
      impact.items.add(e.data.routerId);
      return;
    default:
      if (e.type.startsWith('Agent')) return applyAgent(q, e);
  }
}

async function applyAgent(q: Sql, e: DomainEvent): Promise<void> {
  if (!('agentType' in e.data) || e.data.agentType !== L3_AGENT_TYPE) return;
  const id = e.data.id;
  switch (e.type) {
    case 'AgentRegistered':
    case 'AgentConfigurationChanged': {
      const d = e.data;
      const config = {
        host: d.host,
        agent_type: d.agentType,
        agent_binary: d.binary,
        topic: d.topic,
        availability_zone: d.availabilityZone,
        configurations: JSON.stringify(d.configurations),
      };
      if (e.type === 'AgentConfigurationChanged') {
        await q.update('l3_agents', config, { id });
      } else {
        await q.upsert(
          'l3_agents',
          { id },
          { ...config, admin_state_up: 1, alive: 0, created_at: e.metadata.occurredAt, started_at: null, heartbeat_at: null },
        );
      }
      return;
    }
    case 'AgentAlive':
      await q.run('UPDATE l3_agents SET alive = 1, started_at = ?, heartbeat_at = ? WHERE id = ?', [
        e.data.heartbeatAt,
        e.data.heartbeatAt,
        id,
      ]);
      return;
    case 'AgentDead':
      await q.run('UPDATE l3_agents SET alive = 0, heartbeat_at = ? WHERE id = ?', [e.data.lastHeartbeatAt, id]);
      return;
    case 'AgentAdminStateChanged':
      await q.run('UPDATE l3_agents SET admin_state_up = ? WHERE id = ?', [flag(e.data.adminStateUp), id]);
      return;
    case 'AgentDeleted':
      await q.run('DELETE FROM l3_agents WHERE id = ?', [id]);
      return;
    default:
      return;
  }
}

async function routersOnSubnet(q: Sql, subnetId: string, impact: ItemImpact): Promise<void> {
  const rows = await q.all<{ router_id: string }>('SELECT DISTINCT router_id FROM l3_router_iface_subnets WHERE subnet_id = ?', [subnetId]);
  for (const r of rows) impact.items.add(r.router_id);
}

/** An HA port shows only in its own host's document of the router. */
async function routersOfHaPort(q: Sql, portId: string, impact: ItemImpact): Promise<void> {
  const rows = await q.all<{ router_id: string; host: string }>('SELECT router_id, host FROM l3_bindings WHERE ha_port_id = ?', [portId]);
  for (const r of rows) impact.one.push({ host: r.host, item: r.router_id });
}
