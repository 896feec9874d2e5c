import type { DomainEvent } from '@cp/events';
import { stamp, type ResourceMapper } from './resource-mapper';

export const SUBNET = 'subnet';

/** Attributes of Neutron's subnet resource (also what list filters accept). */
export const SUBNET_ATTRIBUTES = [
  'id',
  'name',
  'network_id',
  'tenant_id',
  'project_id',
  'ip_version',
  'cidr',
  'gateway_ip',
  'allocation_pools',
  'enable_dhcp',
  'dns_nameservers',
  'host_routes',
  'ipv6_ra_mode',
  'ipv6_address_mode',
  'subnetpool_id',
  'description',
  'service_types',
  'tags',
  'created_at',
  'updated_at',
  'revision_number',
] as const;

/** The row's parent is the network, so a network's subnets are one indexed lookup. */
export const subnetMapper: ResourceMapper = {
  handles: ['SubnetCreated', 'SubnetUpdated', 'SubnetDeleted'],
  async apply(event: DomainEvent, ops) {
    switch (event.type) {
      case 'SubnetCreated': {
        const d = event.data;
        const body = {
          id: d.id,
          name: d.name,
          network_id: d.networkId,
          tenant_id: d.projectId,
          project_id: d.projectId,
          ip_version: d.ipVersion,
          cidr: d.cidr,
          gateway_ip: d.gatewayIp,
          allocation_pools: d.allocationPools,
          enable_dhcp: d.enableDhcp,
          dns_nameservers: d.dnsNameservers,
          host_routes: d.hostRoutes,
          ipv6_ra_mode: d.ipv6RaMode,
          ipv6_address_mode: d.ipv6AddressMode,
          subnetpool_id: null,
          description: d.description,
          service_types: [],
          tags: [],
        };
        return ops.put(SUBNET, d.id, d.projectId, d.networkId, stamp(body, event, true));
      }
      case 'SubnetUpdated': {
        const body = await ops.get(SUBNET, event.data.id);
        if (!body) return;
        const c = event.data.changes;
        const next = { ...body };
        if (c.name !== undefined) next.name = c.name;
        if (c.description !== undefined) next.description = c.description;
        if (c.gatewayIp !== undefined) next.gateway_ip = c.gatewayIp;
        if (c.allocationPools !== undefined) next.allocation_pools = c.allocationPools;
        if (c.enableDhcp !== undefined) next.enable_dhcp = c.enableDhcp;
        if (c.dnsNameservers !== undefined) next.dns_nameservers = c.dnsNameservers;
        if (c.hostRoutes !== undefined) next.host_routes = c.hostRoutes;
        return ops.put(SUBNET, event.data.id, String(body.project_id), event.data.networkId, stamp(next, event, false));
      }
      case 'SubnetDeleted':
        return ops.remove(SUBNET, event.data.id);
      default:
        return;
    }
  },
};
