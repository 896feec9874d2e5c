import { fail, type Body } from '@cp/write-model';
import type { RequestContext } from '../platform/request-context';
import type { CreatePortInput, UpdatePortInput } from './port.input';

/*
 * Neutron's port policies (neutron/conf/policies/port.py), default rules:
 * get/delete_port: admin, owner or the network's owner; update_port: admin or
 * owner; binding:host_id and binding:profile: admin only; mac_address,
 * fixed_ips with an address, port_security_enabled and allowed_address_pairs:
 * admin or network owner (a subnet-only fixed_ips entry is fine on a shared
 * network); a `network:` device_owner: admin or network owner.
 */

const denied = (rule: string, why: string): never => fail(403, 'PolicyNotAuthorized', `(rule:${rule}) is disallowed by policy: ${why}.`);

export const ownsNetwork = (ctx: RequestContext, network: Body | null) => ctx.isAdmin || network?.project_id === ctx.projectId;

export function canSeePort(ctx: RequestContext, port: Body | null, network: Body | null): port is Body {
  return port !== null && (ctx.isAdmin || port.project_id === ctx.projectId || network?.project_id === ctx.projectId);
}

export function portOr404(ctx: RequestContext, id: string, port: Body | null, network: Body | null): Body {
  if (!canSeePort(ctx, port, network)) fail(404, 'PortNotFound', `Port ${id} could not be found.`);
  return port;
}

function checkAttributes(
  ctx: RequestContext,
  input: CreatePortInput | UpdatePortInput,
  network: Body,
  action: 'create_port' | 'update_port',
) {
  if (ctx.isAdmin) return;
  if (input['binding:host_id'] !== undefined) denied(`${action}:binding:host_id`, 'only admins bind ports to hosts');
  if (input['binding:profile'] !== undefined && input['binding:profile'] !== null) denied(`${action}:binding:profile`, 'admin only');
  if (ownsNetwork(ctx, network)) return;
  if (input.mac_address !== undefined) denied(`${action}:mac_address`, "only the network's owner sets a MAC address");
  if (input.fixed_ips?.some((f) => f.ip_address !== undefined)) {
    denied(`${action}:fixed_ips:ip_address`, "only the network's owner picks an IP address");
  }
  if (input.port_security_enabled !== undefined)
    denied(`${action}:port_security_enabled`, "only the network's owner changes port security");
  if (input.allowed_address_pairs !== undefined) denied(`${action}:allowed_address_pairs`, "only the network's owner sets address pairs");
  if (input.device_owner?.startsWith('network:')) denied(`${action}:device_owner`, "only the network's owner makes network-owned ports");
}

export function checkCreatePolicy(ctx: RequestContext, input: CreatePortInput, network: Body, projectId: string): void {
  // Neutron's _validate_network_tenant_ownership: seeing a network (e.g. an external one) is not enough to plug into it.
  if (!ctx.isAdmin && network.shared !== true && network.project_id !== projectId) {
    fail(403, 'HTTPForbidden', `Tenant ${projectId} not allowed to create port on this network`);
  }
  checkAttributes(ctx, input, network, 'create_port');
}

export function checkUpdatePolicy(ctx: RequestContext, input: UpdatePortInput, port: Body, network: Body | null): void {
  if (!ctx.isAdmin && port.project_id !== ctx.projectId) denied('update_port', 'port belongs to another project');
  // update_port:mac_address is admin-only (advsvc aside), unlike on create.
  if (!ctx.isAdmin && input.mac_address !== undefined) denied('update_port:mac_address', 'admin only');
  checkAttributes(ctx, input, network ?? {}, 'update_port');
}
