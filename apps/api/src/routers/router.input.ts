import { z } from 'zod';
import { checkInterfaceInfo } from '@cp/domain';
import { RejectionError, fail } from '@cp/write-model';
import { nameField, neutronBool, uuidLike } from '../platform/validate-body';

const externalFixedIp = z.strictObject({
  subnet_id: uuidLike.optional(),
  ip_address: z.string().min(1).max(45).optional(),
});

export const gatewayInfoInput = z.strictObject({
  // Optional: `{}` clears the gateway, which is what `openstack router unset --external-gateway` sends.
  network_id: uuidLike.optional(),
  enable_snat: neutronBool.optional(),
  external_fixed_ips: z.array(externalFixedIp).optional(),
});
export type GatewayInfoInput = z.infer<typeof gatewayInfoInput>;

const common = {
  name: nameField.optional(),
  description: z.string().max(255).optional(),
  admin_state_up: neutronBool.optional(),
  // null clears the gateway, as in Neutron.
  external_gateway_info: gatewayInfoInput.nullable().optional(),
  ha: neutronBool.optional(),
  distributed: neutronBool.optional(),
};

export const createRouterInput = z.strictObject({
  ...common,
  tenant_id: uuidLike.optional(),
  project_id: uuidLike.optional(),
  availability_zone_hints: z.array(z.string()).max(0, 'availability zones are not supported').optional(),
  flavor_id: z.null().optional(),
});
export type CreateRouterInput = z.infer<typeof createRouterInput>;

export const updateRouterInput = z.strictObject({
  ...common,
  // Clients send `routes: []` or `routes: null` (Neutron: convert_none_to_empty_list) to clear extra routes; we have none.
  routes: z.array(z.unknown()).max(0, 'extra routes are not supported').nullable().optional(),
});
export type UpdateRouterInput = z.infer<typeof updateRouterInput>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface InterfaceInfo {
  subnet_id?: string;
  port_id?: string;
}

/**
 * add/remove_router_interface bodies are bare objects (no resource key).
 * Neutron's `_validate_interface_info` wording comes from the domain.
 */
export function validateInterfaceInfo(body: unknown, forRemoval: boolean): InterfaceInfo {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    fail(400, 'HTTPBadRequest', 'Body contains invalid data: a JSON object is required.');
  }
  const info = body as Record<string, unknown>;
  const unknown = Object.keys(info).filter((k) => k !== 'subnet_id' && k !== 'port_id');
  if (unknown.length > 0) fail(400, 'HTTPBadRequest', `Unrecognized attribute(s) '${unknown.join(', ')}'`);
  const rejection = checkInterfaceInfo(info, forRemoval);
  if (rejection) throw new RejectionError(rejection);
  for (const key of ['subnet_id', 'port_id'] as const) {
    const v = info[key];
    // Neutron's validate_uuid: every id the API hands out is a UUID, so anything else names nothing.
    if (v !== undefined && (typeof v !== 'string' || !UUID.test(v))) {
      fail(400, 'BadRequest', `Bad router request: '${typeof v === 'string' ? v : JSON.stringify(v)}' is not a valid UUID.`);
    }
  }
  return info;
}
