import { fail, type Body } from '@cp/write-model';
import { enforce, may, type RequestContext } from '../platform/request-context';
import { authorizeCreate, assertCanChange, canSee, targetOf } from '../platform/visibility';
import type { CreatePortInput, UpdatePortInput } from './port.input';

/*
 * Neutron's port rules (neutron/conf/policies/port.py), from the policy table (@cp/auth):
 * get/delete_port: admin, owner or the network's owner; update_port: admin or owner;
 * binding:host_id and binding:profile: admin only; mac_address, fixed_ips with an address,
 * port_security_enabled and allowed_address_pairs: admin or network owner; a `network:`
 * device_owner: admin or network owner.
 */

export function canSeePort(ctx: RequestContext, port: Body | null, network: Body | null): port is Body {
  return canSee(ctx, 'port', port, network);
}

export function portOr404(ctx: RequestContext, id: string, port: Body | null, network: Body | null): Body {
  if (!canSeePort(ctx, port, network)) fail(404, 'PortNotFound', `Port ${id} could not be found.`);
  return port;
}

/** Whether the caller reads a port's binding (host, VIF details, profile): `get_port:binding:*`, admins by default. */
export const showsBinding = (ctx: RequestContext, port: Body): boolean => may(ctx, 'get_port:binding:host_id', port);

/** A fixed IP naming its address is judged by its own rule; one naming only a subnet is not. */
function checkFixedIps(
  ctx: RequestContext,
  action: 'create_port' | 'update_port',
  input: CreatePortInput | UpdatePortInput,
  target: Body,
): void {
  if (input.fixed_ips?.some((f) => f.ip_address !== undefined)) enforce(ctx, `${action}:fixed_ips:ip_address`, target);
}

/** Returns the project the port belongs to. */
export function checkCreatePolicy(ctx: RequestContext, input: CreatePortInput, network: Body): string {
  const projectId = authorizeCreate(ctx, 'create_port', input, network);
  // Neutron's _validate_network_tenant_ownership: seeing a network (e.g. an external one) is not enough to plug into it.
  if (!ctx.isAdmin && network.shared !== true && network.project_id !== projectId) {
    fail(403, 'HTTPForbidden', `Tenant ${projectId} not allowed to create port on this network`);
  }
  checkFixedIps(ctx, 'create_port', input, targetOf({ ...input, project_id: projectId }, network));
  return projectId;
}

export function checkUpdatePolicy(ctx: RequestContext, input: UpdatePortInput, port: Body, network: Body | null): void {
  assertCanChange(ctx, 'update_port', port, input, network);
  checkFixedIps(ctx, 'update_port', input, targetOf(port, network));
}
