import ipaddr from 'ipaddr.js';
import type { Rejection } from '../decider';
import { badRouterRequest, type SubnetCidr, type SubnetFacts } from './router.commands';

/**
 * A router routes between its subnets, so it may not have two ports on one
 * subnet (Neutron's `_check_for_dup_router_subnets`): `onRouter` are the subnet
 * ids of its ports, from the router's own stream.
 */
export function checkNotOnRouter(onRouter: readonly string[], subnetIds: readonly string[]): Rejection | null {
  const dup = subnetIds.find((id) => onRouter.includes(id));
  return dup ? badRouterRequest(`Router already has a port on subnet ${dup}`) : null;
}

/** ... nor two subnets whose CIDRs overlap: it could not tell where to send a packet. */
export function checkNoOverlap(existing: readonly SubnetCidr[], added: readonly SubnetCidr[]): Rejection | null {
  for (const sub of existing) {
    for (const s of added) {
      if (cidrsOverlap(sub.cidr, s.cidr)) {
        return badRouterRequest(`Cidr ${s.cidr} of subnet ${s.id} overlaps with cidr ${sub.cidr} of subnet ${sub.id}`);
      }
    }
  }
  return null;
}

/** A subnet whose hosts take RAs from an external router cannot also be routed by ours. */
export function checkAddressMode(subnet: SubnetFacts): Rejection | null {
  if (subnet.ipVersion === 6 && subnet.ipv6RaMode === null && subnet.ipv6AddressMode !== null) {
    return badRouterRequest(`IPv6 subnet ${subnet.id} configured to receive RAs from an external router cannot be added to Neutron Router`);
  }
  return null;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const [na, la] = ipaddr.parseCIDR(a);
  const [nb, lb] = ipaddr.parseCIDR(b);
  if (na.kind() !== nb.kind()) return false;
  // Two prefixes overlap exactly when the shorter one contains the other's network.
  return la <= lb ? nb.match(na, la) : na.match(nb, lb);
}
