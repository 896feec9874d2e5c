import { randomUUID } from 'node:crypto';
import { isRejection, type Decision, type ActiveRouter, type GatewayRequest } from '@cp/domain';
import type { FixedIp } from '@cp/events';
import {
  type UnitOfWork,
  fail,
  RejectionError,
  createPortInUow,
  routerPortsHostNow,
  deletePortInUow,
  loadPort,
  networkSubnets,
  updatePortInUow,
} from '@cp/write-model';
import type { RequestContext } from '../platform/request-context';
import { canSee } from '../platform/visibility';
import type { GatewayInfoInput } from './router.input';
import { loadNetwork } from './router-facts';

export const GATEWAY_OWNER = 'network:router_gateway';

/** `{}` (what `openstack router unset --external-gateway` sends) clears the gateway like null. */
export const clearsGateway = (info: GatewayInfoInput | null): boolean => info === null || info.network_id === undefined;

/**
 * Turns external_gateway_info into the decider's GatewayRequest, creating or
 * re-addressing the gateway port on the way (the port's addresses are what the
 * router event records). `check` is the pure decision the command will make; it
 * runs first on the requested addresses so that a request the router would
 * refuse (not external, the subnet's gateway IP...) is refused before any
 * address is allocated, in Neutron's order.
 */
export async function resolveGateway(
  uow: UnitOfWork,
  ctx: RequestContext,
  routerId: string,
  current: ActiveRouter['gateway'],
  info: GatewayInfoInput & { network_id: string },
  check: (req: GatewayRequest) => Decision,
): Promise<GatewayRequest> {
  const network = await loadNetwork(uow, info.network_id);
  const body = network && (await uow.resources.get('network', network.id, uow.tx));
  if (!network || !canSee(ctx, 'network', body)) fail(404, 'NetworkNotFound', `Network ${info.network_id} could not be found.`);
  const subnets = await networkSubnets(uow, network.id);
  const requested = info.external_fixed_ips?.map((ip) => ({ subnetId: ip.subnet_id, ipAddress: ip.ip_address }));
  const req: GatewayRequest = {
    network: {
      id: network.id,
      external: network.external,
      subnets: subnets.map((s) => ({ id: s.id, cidr: s.cidr, gatewayIp: s.gatewayIp })),
    },
    portId: randomUUID(),
    // Neutron's enable_snat_by_default; an unchanged gateway keeps its current setting.
    enableSnat: info.enable_snat ?? (current?.networkId === network.id ? current.enableSnat : true),
    externalFixedIps: (requested ?? [])
      .filter((ip) => ip.ipAddress !== undefined)
      .map((ip) => ({ subnetId: ip.subnetId ?? '', ipAddress: ip.ipAddress! })),
  };
  const verdict = check(req);
  if (isRejection(verdict)) throw new RejectionError(verdict);

  let ips: FixedIp[];
  if (current && current.networkId === network.id) {
    // Same network: Neutron keeps the port and only re-addresses it when asked to.
    if (requested) await updatePortInUow(uow, current.portId, { fixedIps: requested });
    ips = requested ? await portIps(uow, current.portId) : [...current.externalFixedIps];
  } else {
    // The gateway port belongs to no project, as in Neutron: tenants do not see or change it.
    await createPortInUow(uow, {
      id: req.portId,
      networkId: network.id,
      projectId: '',
      deviceOwner: GATEWAY_OWNER,
      deviceId: routerId,
      portSecurityEnabled: false,
      securityGroups: [],
      fixedIps: requested,
      // Bound where the router runs, so that host's agent brings it up.
      hostId: (await routerPortsHostNow(uow, routerId)) ?? '',
    });
    ips = await portIps(uow, req.portId);
  }
  return { ...req, externalFixedIps: ips };
}

/** After the router recorded a cleared gateway, its port goes too. */
export async function deleteClearedGatewayPorts(uow: UnitOfWork, events: ReadonlyArray<{ type: string; data: unknown }>): Promise<void> {
  for (const e of events) {
    if (e.type === 'RouterGatewayCleared') await deletePortInUow(uow, (e.data as { portId: string }).portId);
  }
}

async function portIps(uow: UnitOfWork, portId: string): Promise<FixedIp[]> {
  const state = await loadPort(uow, portId);
  return state.status === 'active' ? [...state.port.fixedIps] : [];
}
