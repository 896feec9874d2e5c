import type { FixedIp } from '@cp/events';
import type { Decision, Events } from '../decider';
import { badRouterRequest, type GatewayRequest, type RouterData, type SubnetCidr } from './router.commands';
import type { RouterGateway, RouterInterface } from './router.state';
import { checkNoOverlap, checkNotOnRouter } from './subnet-checks';

type GatewayEvent = Events<'RouterGatewaySet' | 'RouterGatewayCleared'>;

/**
 * Neutron's `_update_router_gw_info` for a non-empty external_gateway_info.
 * Another network replaces the gateway port (cleared, then set); the same
 * network keeps the port and only its IPs or SNAT change.
 */
export function setGateway(
  router: RouterData,
  interfaces: Readonly<Record<string, RouterInterface>>,
  current: RouterGateway | null,
  gw: GatewayRequest,
  interfaceSubnets: readonly SubnetCidr[],
): Decision<GatewayEvent> {
  const { id, projectId } = router;
  const { network, enableSnat, externalFixedIps } = gw;
  if (!network.external) return badRouterRequest(`Network ${network.id} is not an external network`);
  for (const ip of externalFixedIps) {
    if (network.subnets.some((s) => s.gatewayIp !== null && s.gatewayIp === ip.ipAddress)) {
      return badRouterRequest(`External IP ${ip.ipAddress} is the same as the gateway IP`);
    }
  }
  if (current && current.networkId === network.id) {
    if (current.enableSnat === enableSnat && sameIps(current.externalFixedIps, externalFixedIps)) return [];
    return [
      { type: 'RouterGatewaySet', data: { id, projectId, networkId: network.id, portId: current.portId, enableSnat, externalFixedIps } },
    ];
  }
  const onInterfaces = Object.values(interfaces).flatMap((i) => i.subnetIds);
  const clash =
    checkNotOnRouter(
      onInterfaces,
      network.subnets.map((s) => s.id),
    ) ?? checkNoOverlap(interfaceSubnets, network.subnets);
  if (clash) return clash;
  return [
    ...clearGateway(router, current),
    { type: 'RouterGatewaySet', data: { id, projectId, networkId: network.id, portId: gw.portId, enableSnat, externalFixedIps } },
  ];
}

export function clearGateway(router: RouterData, current: RouterGateway | null): Events<'RouterGatewayCleared'>[] {
  if (!current) return [];
  return [
    {
      type: 'RouterGatewayCleared',
      data: { id: router.id, projectId: router.projectId, networkId: current.networkId, portId: current.portId },
    },
  ];
}

function sameIps(a: readonly FixedIp[], b: readonly FixedIp[]): boolean {
  const key = (ips: readonly FixedIp[]) => JSON.stringify(ips.map((ip) => `${ip.subnetId} ${ip.ipAddress}`).sort());
  return key(a) === key(b);
}
