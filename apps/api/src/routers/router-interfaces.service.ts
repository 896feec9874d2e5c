import { routerStream } from '@cp/write-model';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { routerDecider, type ActiveRouter, type SubnetCidr, type SubnetFacts } from '@cp/domain';
import {
  type UnitOfWork,
  fail,
  createPortInUow,
  deletePortInUow,
  loadPort,
  updatePortInUow,
  routerPortsHostNow,
  WRITE_SIDE,
  type WriteSide,
} from '@cp/write-model';
import { may, type RequestContext } from '../platform/request-context';
import { floatingIpsVia } from '../floating-ips/floating-ip-facts';
import { loadSubnet, routerSubnets, subnetFacts, usableSubnet } from './router-facts';
import type { InterfaceInfo } from './router.input';
import { changeableRouter, loadRouter, routerNotFound } from './routers.service';

/** Neutron's owners: HA routers' interfaces are replicated on every node that hosts them. */
export const interfaceOwner = (router: ActiveRouter) =>
  router.router.ha ? 'network:ha_router_replicated_interface' : 'network:router_interface';

/** Neutron's add/remove_router_interface response. */
export interface InterfaceResult {
  id: string;
  tenant_id: string;
  project_id: string;
  port_id: string;
  subnet_id: string;
  subnet_ids: string[];
  network_id: string;
}

@Injectable()
export class RouterInterfacesService {
  constructor(@Inject(WRITE_SIDE) private readonly ws: WriteSide) {}

  async add(ctx: RequestContext, routerId: string, info: InterfaceInfo): Promise<InterfaceResult> {
    const { result } = await this.ws.runner.run(ctx, async (uow) => {
      const router = await this.activeRouter(uow, ctx, routerId, 'add_router_interface');
      const reach = await routerSubnets(uow, router);
      return info.port_id !== undefined
        ? this.addByPort(uow, ctx, router, info.port_id, reach)
        : this.addBySubnet(uow, ctx, router, info.subnet_id!, reach);
    });
    return result;
  }

  /**
   * A new port holding the subnet's gateway IP; the decider's checks run first,
   * so a refused interface allocates nothing. A gateway IP some other port took
   * is the port slice's IpAddressAlreadyAllocated (409), as in Neutron.
   */
  private async addBySubnet(uow: UnitOfWork, ctx: RequestContext, router: ActiveRouter, subnetId: string, reach: SubnetCidr[]) {
    const subnet = await usableSubnet(uow, ctx, subnetId);
    const portId = randomUUID();
    const { id, projectId } = router.router;
    await uow.decide(routerDecider, routerStream(id), {
      type: 'AddRouterInterface',
      data: { routerId: id, by: 'subnet', subnet: subnetFacts(subnet), portId, routerSubnets: reach },
    });
    // Router ports carry no security groups: the router is the enforcement point, not a VM.
    await createPortInUow(uow, {
      id: portId,
      networkId: subnet.networkId,
      projectId,
      deviceOwner: interfaceOwner(router),
      deviceId: id,
      portSecurityEnabled: false,
      securityGroups: [],
      fixedIps: [{ subnetId: subnet.id, ipAddress: subnet.gatewayIp! }],
      // Bound where the router runs (its legacy agent, its HA active instance), so that host's agent brings it up.
      hostId: (await routerPortsHostNow(uow, id)) ?? '',
    });
    return result(id, projectId, portId, subnet.networkId, [subnet.id]);
  }

  /** An existing unused port becomes the interface; it keeps its addresses. */
  private async addByPort(uow: UnitOfWork, ctx: RequestContext, router: ActiveRouter, portId: string, reach: SubnetCidr[]) {
    const state = await loadPort(uow, portId);
    // Plugging a port into a router changes the port: update_port on it (its owner, or an admin).
    if (state.status !== 'active' || !may(ctx, 'update_port', { project_id: state.port.projectId })) {
      fail(404, 'PortNotFound', `Port ${portId} could not be found.`);
    }
    const { port } = state;
    const subnets: SubnetFacts[] = [];
    for (const ip of port.fixedIps) {
      const s = await loadSubnet(uow, ip.subnetId);
      if (s && !subnets.some((f) => f.id === s.id)) subnets.push(subnetFacts(s));
    }
    await uow.decide(routerDecider, routerStream(router.router.id), {
      type: 'AddRouterInterface',
      data: {
        routerId: router.router.id,
        by: 'port',
        port: { id: port.id, networkId: port.networkId, deviceId: port.deviceId, fixedIps: [...port.fixedIps] },
        subnets,
        routerSubnets: reach,
      },
    });
    const host = await routerPortsHostNow(uow, router.router.id);
    await updatePortInUow(uow, port.id, {
      deviceId: router.router.id,
      deviceOwner: interfaceOwner(router),
      ...(host === undefined ? {} : { hostId: host ?? '' }),
    });
    return result(
      router.router.id,
      port.projectId,
      port.id,
      port.networkId,
      subnets.map((s) => s.id),
    );
  }

  /**
   * The interface's port is deleted, unless it keeps addresses on other subnets
   * (removal by one subnet of a multi-prefix port): then only that address goes.
   */
  async remove(ctx: RequestContext, routerId: string, info: InterfaceInfo): Promise<InterfaceResult> {
    const { result: out } = await this.ws.runner.run(ctx, async (uow) => {
      const router = await this.activeRouter(uow, ctx, routerId, 'remove_router_interface');
      const events = await uow.decide(routerDecider, routerStream(routerId), {
        type: 'RemoveRouterInterface',
        data: { routerId, portId: info.port_id, subnetId: info.subnet_id },
      });
      const removed = events.find((e) => e.type === 'RouterInterfaceRemoved');
      if (removed?.type !== 'RouterInterfaceRemoved') throw new Error('RemoveRouterInterface decided no removal');
      const { portId, networkId, subnetIds } = removed.data;
      const mapped = (await floatingIpsVia(uow, routerId)).find((f) => f.subnetId !== null && subnetIds.includes(f.subnetId));
      if (mapped) {
        fail(
          409,
          'RouterInterfaceInUseByFloatingIP',
          `Router interface for subnet ${mapped.subnetId} on router ${routerId} cannot be deleted, as it is required by one or more floating IPs.`,
        );
      }
      const left = router.interfaces[portId].subnetIds.filter((s) => !subnetIds.includes(s));
      const port = await loadPort(uow, portId);
      const tenant = port.status === 'active' ? port.port.projectId : router.router.projectId;
      if (left.length === 0) {
        await deletePortInUow(uow, portId);
      } else if (port.status === 'active') {
        const keep = port.port.fixedIps.filter((ip) => !subnetIds.includes(ip.subnetId));
        await updatePortInUow(uow, portId, { fixedIps: keep.map((ip) => ({ subnetId: ip.subnetId, ipAddress: ip.ipAddress })) });
      }
      return result(routerId, tenant, portId, networkId, [...subnetIds], subnetIds[0]);
    });
    return out;
  }

  private async activeRouter(uow: UnitOfWork, ctx: RequestContext, id: string, action: string): Promise<ActiveRouter> {
    await changeableRouter(uow, ctx, id, action);
    const state = await loadRouter(uow, id);
    if (state.status !== 'active') fail(404, 'RouterNotFound', routerNotFound(id));
    return state;
  }
}

/** Neutron's deprecated single subnet_id: the last of the port's subnets when adding, the first when removing. */
function result(
  routerId: string,
  tenant: string,
  portId: string,
  networkId: string,
  subnetIds: string[],
  subnetId = subnetIds.at(-1)!,
): InterfaceResult {
  return {
    id: routerId,
    tenant_id: tenant,
    project_id: tenant,
    port_id: portId,
    subnet_id: subnetId,
    subnet_ids: subnetIds,
    network_id: networkId,
  };
}
