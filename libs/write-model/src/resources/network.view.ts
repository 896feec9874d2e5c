import type { DomainEvent } from '@cp/events';
import { stamp, type ResourceMapper } from './resource-mapper';

export const NETWORK = 'network';

/** Attributes of Neutron's network resource (also what list filters accept). */
export const NETWORK_ATTRIBUTES = [
  'id',
  'name',
  'tenant_id',
  'project_id',
  'admin_state_up',
  'status',
  'subnets',
  'shared',
  'router:external',
  'mtu',
  'provider:network_type',
  'provider:physical_network',
  'provider:segmentation_id',
  'description',
  'availability_zones',
  'availability_zone_hints',
  'ipv4_address_scope',
  'ipv6_address_scope',
  'port_security_enabled',
  'is_default',
  'qos_policy_id',
  'tags',
  'created_at',
  'updated_at',
  'revision_number',
] as const;

export const networkMapper: ResourceMapper = {
  handles: ['NetworkCreated', 'NetworkUpdated', 'NetworkDeleted', 'SubnetCreated', 'SubnetDeleted'],
  async apply(event: DomainEvent, ops) {
    switch (event.type) {
      case 'NetworkCreated': {
        const d = event.data;
        const body = {
          id: d.id,
          name: d.name,
          tenant_id: d.projectId,
          project_id: d.projectId,
          admin_state_up: d.adminStateUp,
          status: 'ACTIVE',
          subnets: [] as string[],
          shared: d.shared,
          'router:external': d.external,
          mtu: d.mtu,
          'provider:network_type': d.networkType,
          'provider:physical_network': d.physicalNetwork,
          'provider:segmentation_id': d.segmentationId,
          description: d.description,
          availability_zones: [],
          availability_zone_hints: [],
          ipv4_address_scope: null,
          ipv6_address_scope: null,
          port_security_enabled: d.portSecurityEnabled ?? true,
          is_default: false,
          qos_policy_id: null,
          tags: [],
        };
        return ops.put(NETWORK, d.id, d.projectId, null, stamp(body, event, true));
      }
      case 'NetworkUpdated': {
        const body = await ops.get(NETWORK, event.data.id);
        if (!body) return;
        const c = event.data.changes;
        const next = { ...body };
        if (c.name !== undefined) next.name = c.name;
        if (c.description !== undefined) next.description = c.description;
        if (c.adminStateUp !== undefined) next.admin_state_up = c.adminStateUp;
        if (c.shared !== undefined) next.shared = c.shared;
        if (c.external !== undefined) next['router:external'] = c.external;
        if (c.mtu !== undefined) next.mtu = c.mtu;
        if (c.portSecurityEnabled !== undefined) next.port_security_enabled = c.portSecurityEnabled;
        return ops.put(NETWORK, event.data.id, String(body.project_id), null, stamp(next, event, false));
      }
      case 'NetworkDeleted':
        return ops.remove(NETWORK, event.data.id);
      case 'SubnetCreated':
      case 'SubnetDeleted': {
        const body = await ops.get(NETWORK, event.data.networkId);
        if (!body) return;
        const others = (body.subnets as string[]).filter((s) => s !== event.data.id);
        const subnets = event.type === 'SubnetCreated' ? [...others, event.data.id] : others;
        return ops.put(NETWORK, event.data.networkId, String(body.project_id), null, stamp({ ...body, subnets }, event, false));
      }
      default:
        return;
    }
  },
};
