import { type Body, fail } from '@cp/write-model';
import type { RequestContext } from '../platform/request-context';
import { canSee } from '../platform/visibility';

/**
 * Neutron's get_subnet: admin, owner, or a subnet of a shared network (not of a merely external
 * one); the network's owner sees subnets others made on it, since it may change them.
 */
export function canSeeSubnet(ctx: RequestContext, subnet: Body | null, network: Body | null): subnet is Body {
  return canSee(ctx, 'subnet', subnet, network);
}

export function subnetOr404(ctx: RequestContext, id: string, subnet: Body | null, network: Body | null): Body {
  if (!canSeeSubnet(ctx, subnet, network)) fail(404, 'SubnetNotFound', `Subnet ${id} could not be found.`);
  return subnet;
}
