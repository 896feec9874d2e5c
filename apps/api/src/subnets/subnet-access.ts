import { type Body, fail } from '@cp/write-model';
import type { RequestContext } from '../platform/request-context';

/**
 * Neutron's get_subnet: admin, owner, or a subnet of a shared network; subnets
 * of external networks are visible too (tenants see the public subnet), and the
 * network's owner sees subnets others made on it, since it may change them.
 */
export function canSeeSubnet(ctx: RequestContext, subnet: Body | null, network: Body | null): subnet is Body {
  if (!subnet) return false;
  if (ctx.isAdmin || subnet.project_id === ctx.projectId) return true;
  return network !== null && (network.shared === true || network['router:external'] === true || network.project_id === ctx.projectId);
}

export function subnetOr404(ctx: RequestContext, id: string, subnet: Body | null, network: Body | null): Body {
  if (!canSeeSubnet(ctx, subnet, network)) fail(404, 'SubnetNotFound', `Subnet ${id} could not be found.`);
  return subnet;
}

/** create/update/delete_subnet are ADMIN_OR_NET_OWNER in Neutron's policy. */
export function assertNetworkOwner(ctx: RequestContext, network: Body, action: string): void {
  if (!ctx.isAdmin && network.project_id !== ctx.projectId) {
    fail(403, 'PolicyNotAuthorized', `(rule:${action}) is disallowed by policy: only the network's owner or an admin may do this.`);
  }
}
