import type { DomainEvent } from '@cp/events';
import { stamp, type ResourceMapper } from './resource-mapper';

export const FLOATINGIP = 'floatingip';

/** Attributes of Neutron's floatingip resource (also what list filters accept). */
export const FLOATINGIP_ATTRIBUTES = [
  'id',
  'tenant_id',
  'project_id',
  'floating_network_id',
  'floating_ip_address',
  'fixed_ip_address',
  'port_id',
  'router_id',
  'status',
  'description',
  'dns_name',
  'dns_domain',
  'qos_policy_id',
  'port_forwardings',
  'tags',
  'created_at',
  'updated_at',
  'revision_number',
] as const;

/**
 * The floating IP as Neutron shows it. The row's parent is the port it maps
 * (none while unassociated), so "the floating IPs of this port" is one lookup
 * (port deletion, the one-floating-IP-per-fixed-IP check). `status` follows the
 * association: ACTIVE while mapped, DOWN otherwise (no agent reports it yet).
 */
export const floatingIpMapper: ResourceMapper = {
  handles: ['FloatingIpCreated', 'FloatingIpAssociated', 'FloatingIpDisassociated', 'FloatingIpUpdated', 'FloatingIpDeleted'],
  async apply(event: DomainEvent, ops) {
    switch (event.type) {
      case 'FloatingIpCreated': {
        const d = event.data;
        const body = {
          id: d.id,
          tenant_id: d.projectId,
          project_id: d.projectId,
          floating_network_id: d.floatingNetworkId,
          floating_ip_address: d.floatingIpAddress,
          fixed_ip_address: null,
          port_id: null,
          router_id: null,
          status: 'DOWN',
          description: d.description,
          dns_name: '',
          dns_domain: '',
          qos_policy_id: null,
          port_forwardings: [],
          tags: [],
        };
        return ops.put(FLOATINGIP, d.id, d.projectId, null, stamp(body, event, true));
      }
      case 'FloatingIpDeleted':
        return ops.remove(FLOATINGIP, event.data.id);
      case 'FloatingIpAssociated':
      case 'FloatingIpDisassociated':
      case 'FloatingIpUpdated': {
        const body = await ops.get(FLOATINGIP, event.data.id);
        if (!body) return;
        const next = { ...body };
        let parent: string | null = (body.port_id as string | null) ?? null;
        if (event.type === 'FloatingIpAssociated') {
          Object.assign(next, { port_id: event.data.portId, fixed_ip_address: event.data.fixedIpAddress, router_id: event.data.routerId });
          next.status = 'ACTIVE';
          parent = event.data.portId;
        } else if (event.type === 'FloatingIpDisassociated') {
          Object.assign(next, { port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN' });
          parent = null;
        } else if (event.data.changes.description !== undefined) {
          next.description = event.data.changes.description;
        }
        return ops.put(FLOATINGIP, event.data.id, event.data.projectId, parent, stamp(next, event, false));
      }
      default:
        return;
    }
  },
};
