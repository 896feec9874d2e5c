import type { DomainEvent, EventType, FixedIp } from '@cp/events';
import type { ItemImpact } from '@cp/host-feed';
import type { Sql } from '@cp/store';

export const HANDLED_EVENTS: readonly EventType[] = [
  'NetworkCreated',
  'NetworkUpdated',
  'NetworkDeleted',
  'SubnetCreated',
  'SubnetUpdated',
  'SubnetDeleted',
  'PortCreated',
  'PortUpdated',
  'PortDeleted',
  'NetworkScheduledToDhcpAgent',
  'NetworkUnscheduledFromDhcpAgent',
];

const flag = (b: boolean) => (b ? 1 : 0);

/**
 * Writes one event into the normalised tables and says which networks'
 * documents it changed (impact items are network ids). Each statement touches
 * rows by their own key and tolerates missing neighbours.
 */
export async function applyFacts(q: Sql, e: DomainEvent, impact: ItemImpact): Promise<void> {
  switch (e.type) {
    case 'NetworkCreated':
      await q.upsert('dhcp_networks', { id: e.data.id }, { mtu: e.data.mtu, admin_state_up: flag(e.data.adminStateUp) });
      impact.items.add(e.data.id);
      return;
    case 'NetworkUpdated': {
      const c = e.data.changes;
      if (c.mtu === undefined && c.adminStateUp === undefined) return;
      if (c.mtu !== undefined) await q.run('UPDATE dhcp_networks SET mtu = ? WHERE id = ?', [c.mtu, e.data.id]);
      if (c.adminStateUp !== undefined)
        await q.run('UPDATE dhcp_networks SET admin_state_up = ? WHERE id = ?', [flag(c.adminStateUp), e.data.id]);
      impact.items.add(e.data.id);
      return;
    }
    case 'NetworkDeleted':
      // Its bindings go with their own events (reason network_deleted), which tombstone the hosts.
      await q.run('DELETE FROM dhcp_networks WHERE id = ?', [e.data.id]);
      impact.items.add(e.data.id);
      return;
    case 'SubnetCreated': {
      const d = e.data;
      await q.upsert(
        'dhcp_subnets',
        { id: d.id },
        {
          network_id: d.networkId,
          ip_version: d.ipVersion,
          cidr: d.cidr,
          gateway_ip: d.gatewayIp,
          enable_dhcp: flag(d.enableDhcp),
          dns_nameservers: JSON.stringify(d.dnsNameservers),
          host_routes: JSON.stringify(d.hostRoutes),
          ipv6_address_mode: d.ipv6AddressMode,
          ipv6_ra_mode: d.ipv6RaMode,
        },
      );
      impact.items.add(d.networkId);
      return;
    }
    case 'SubnetUpdated': {
      const c = e.data.changes;
      const set: Record<string, unknown> = {};
      if (c.gatewayIp !== undefined) set.gateway_ip = c.gatewayIp;
      if (c.enableDhcp !== undefined) set.enable_dhcp = flag(c.enableDhcp);
      if (c.dnsNameservers !== undefined) set.dns_nameservers = JSON.stringify(c.dnsNameservers);
      if (c.hostRoutes !== undefined) set.host_routes = JSON.stringify(c.hostRoutes);
      if (Object.keys(set).length === 0) return;
      await q.update('dhcp_subnets', set, { id: e.data.id });
      impact.items.add(e.data.networkId);
      return;
    }
    case 'SubnetDeleted':
      await q.run('DELETE FROM dhcp_subnets WHERE id = ?', [e.data.id]);
      impact.items.add(e.data.networkId);
      return;
    case 'PortCreated': {
      const d = e.data;
      await q.upsert(
        'dhcp_ports',
        { id: d.id },
        {
          network_id: d.networkId,
          mac: d.macAddress,
          device_owner: d.deviceOwner,
          device_id: d.deviceId,
          extra_dhcp_opts: JSON.stringify(d.extraDhcpOpts ?? []),
        },
      );
      await writeIps(q, d.id, d.fixedIps);
      impact.items.add(d.networkId);
      return;
    }
    case 'PortUpdated': {
      const c = e.data.changes;
      const set: Record<string, unknown> = {};
      if (c.macAddress !== undefined) set.mac = c.macAddress;
      if (c.deviceOwner !== undefined) set.device_owner = c.deviceOwner;
      if (c.deviceId !== undefined) set.device_id = c.deviceId;
      if (c.extraDhcpOpts !== undefined) set.extra_dhcp_opts = JSON.stringify(c.extraDhcpOpts);
      if (Object.keys(set).length === 0 && c.fixedIps === undefined) return;
      await q.update('dhcp_ports', set, { id: e.data.id });
      if (c.fixedIps !== undefined) await writeIps(q, e.data.id, c.fixedIps);
      impact.items.add(e.data.networkId);
      return;
    }
    case 'PortDeleted':
      await q.run('DELETE FROM dhcp_ports WHERE id = ?', [e.data.id]);
      await q.run('DELETE FROM dhcp_port_ips WHERE port_id = ?', [e.data.id]);
      impact.items.add(e.data.networkId);
      return;
    case 'NetworkScheduledToDhcpAgent':
      await q.upsert('dhcp_bindings', { network_id: e.data.networkId, agent_id: e.data.agentId }, { host: e.data.host });
      impact.one.push({ host: e.data.host, item: e.data.networkId });
      return;
    case 'NetworkUnscheduledFromDhcpAgent':
      await q.run('DELETE FROM dhcp_bindings WHERE network_id = ? AND agent_id = ?', [e.data.networkId, e.data.agentId]);
      impact.left.push({ host: e.data.host, item: e.data.networkId });
      return;
    default:
      return;
  }
}

async function writeIps(q: Sql, portId: string, ips: readonly FixedIp[]): Promise<void> {
  await q.run('DELETE FROM dhcp_port_ips WHERE port_id = ?', [portId]);
  for (const ip of ips) await q.upsert('dhcp_port_ips', { port_id: portId, ip: ip.ipAddress }, { subnet_id: ip.subnetId });
}
