import type { DomainEvent, FixedIp } from '@cp/events';
import { stamp, type ResourceMapper } from './resource-mapper';

export const ROUTER = 'router';

/** Attributes of Neutron's router resource (also what list filters accept). */
export const ROUTER_ATTRIBUTES = [
  'id',
  'name',
  'tenant_id',
  'project_id',
  'admin_state_up',
  'status',
  'external_gateway_info',
  'ha',
  'distributed',
  'routes',
  'availability_zones',
  'availability_zone_hints',
  'flavor_id',
  'description',
  'tags',
  'created_at',
  'updated_at',
  'revision_number',
] as const;

/** Attributes only an admin reads (Neutron's get_router:ha / get_router:distributed policies). */
export const ADMIN_ONLY_ATTRIBUTES = ['ha', 'distributed'] as const;

const externalFixedIps = (ips: readonly FixedIp[]) => ips.map((ip) => ({ subnet_id: ip.subnetId, ip_address: ip.ipAddress }));

export const routerMapper: ResourceMapper = {
  handles: [
    'RouterCreated',
    'RouterUpdated',
    'RouterGatewaySet',
    'RouterGatewayCleared',
    'RouterDeleted',
    'RouterInterfaceAdded',
    'RouterInterfaceRemoved',
  ],
  async apply(event: DomainEvent, ops) {
    if (event.type === 'RouterCreated') {
      const d = event.data;
      const body = {
        id: d.id,
        name: d.name,
        tenant_id: d.projectId,
        project_id: d.projectId,
        admin_state_up: d.adminStateUp,
        status: 'ACTIVE',
        external_gateway_info: null,
        ha: d.ha,
        distributed: false,
        routes: [],
        availability_zones: [],
        availability_zone_hints: [],
        flavor_id: null,
        description: d.description,
        tags: [],
      };
      return ops.put(ROUTER, d.id, d.projectId, null, stamp(body, event, true));
    }
    if (event.type === 'RouterDeleted') return ops.remove(ROUTER, event.data.id);
    if (
      event.type !== 'RouterUpdated' &&
      event.type !== 'RouterGatewaySet' &&
      event.type !== 'RouterGatewayCleared' &&
      event.type !== 'RouterInterfaceAdded' &&
      event.type !== 'RouterInterfaceRemoved'
    ) {
      return;
    }
    const body = await ops.get(ROUTER, event.data.id);
    if (!body) return;
    const next = { ...body };
    if (event.type === 'RouterUpdated') {
      const c = event.data.changes;
      if (c.name !== undefined) next.name = c.name;
      if (c.description !== undefined) next.description = c.description;
      if (c.adminStateUp !== undefined) next.admin_state_up = c.adminStateUp;
      if (c.ha !== undefined) next.ha = c.ha;
    } else if (event.type === 'RouterGatewaySet') {
      const d = event.data;
      next.external_gateway_info = {
        network_id: d.networkId,
        enable_snat: d.enableSnat,
        external_fixed_ips: externalFixedIps(d.externalFixedIps),
      };
    } else if (event.type === 'RouterGatewayCleared') {
      next.external_gateway_info = null;
    }
    // Interface changes leave the body as is but, as in Neutron (router ports revise
    // their router), still bump revision_number and updated_at.
    return ops.put(ROUTER, event.data.id, String(body.project_id), null, stamp(next, event, false));
  },
};
