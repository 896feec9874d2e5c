import { networkStream, subnetStream } from '@cp/write-model';
import {
  networkDecider,
  type NetworkData,
  type ActiveRouter,
  type SubnetCidr,
  type SubnetFacts,
  subnetDecider,
  type SubnetData,
} from '@cp/domain';
import { type UnitOfWork, networkSubnets, fail } from '@cp/write-model';
import { may, type RequestContext } from '../platform/request-context';

/*
 * The facts the router decider asks the edge for, read inside the command's
 * transaction. Subnets and networks are folded from their own streams, the
 * source of truth, rather than parsed back out of another slice's JSON.
 */

export async function loadSubnet(uow: UnitOfWork, id: string): Promise<SubnetData | null> {
  const state = await uow.load(subnetDecider, subnetStream(id));
  return state.status === 'active' ? state.subnet : null;
}

export async function loadNetwork(uow: UnitOfWork, id: string): Promise<NetworkData | null> {
  const state = await uow.load(networkDecider, networkStream(id));
  return state.status === 'active' ? state.network : null;
}

/** A subnet the caller may route: its own, or one on a network shared with it (else 404, as Neutron hides it). */
export async function usableSubnet(uow: UnitOfWork, ctx: RequestContext, id: string): Promise<SubnetData> {
  const subnet = await loadSubnet(uow, id);
  const network = subnet && (await loadNetwork(uow, subnet.networkId));
  const target = { project_id: subnet?.projectId, 'network:project_id': network?.projectId, 'network:shared': network?.shared };
  if (!subnet || !network || !may(ctx, 'get_subnet', target)) {
    fail(404, 'SubnetNotFound', `Subnet ${id} could not be found.`);
  }
  return subnet;
}

export function subnetFacts(s: SubnetData): SubnetFacts {
  return {
    id: s.id,
    networkId: s.networkId,
    cidr: s.cidr,
    ipVersion: s.ipVersion,
    gatewayIp: s.gatewayIp,
    ipv6RaMode: s.ipv6RaMode,
    ipv6AddressMode: s.ipv6AddressMode,
  };
}

async function cidrsOf(uow: UnitOfWork, ids: readonly string[]): Promise<SubnetCidr[]> {
  const out: SubnetCidr[] = [];
  for (const id of ids) {
    const s = await loadSubnet(uow, id);
    if (s) out.push({ id: s.id, cidr: s.cidr });
  }
  return out;
}

/** CIDRs of the subnets on the router's interfaces (the gateway's overlap check). */
export function interfaceSubnets(uow: UnitOfWork, router: ActiveRouter): Promise<SubnetCidr[]> {
  return cidrsOf(
    uow,
    Object.values(router.interfaces).flatMap((i) => i.subnetIds),
  );
}

/** What a new interface must not overlap: the interfaces' subnets and every subnet of the gateway network. */
export async function routerSubnets(uow: UnitOfWork, router: ActiveRouter): Promise<SubnetCidr[]> {
  const onInterfaces = await interfaceSubnets(uow, router);
  const external = router.gateway ? await networkSubnets(uow, router.gateway.networkId) : [];
  return [...onInterfaces, ...external.map((s) => ({ id: s.id, cidr: s.cidr }))];
}
