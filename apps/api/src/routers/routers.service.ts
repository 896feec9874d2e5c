import { routerStream } from '@cp/write-model';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { routerDecider, type GatewayRequest, type RouterData, type RouterState } from '@cp/domain';
import { type UnitOfWork, fail, type Body, WRITE_SIDE, type WriteSide, ADMIN_ONLY_ATTRIBUTES, ROUTER } from '@cp/write-model';
import { may, type RequestContext } from '../platform/request-context';
import { assertCanChange, authorizeCreate, visibleOr404 } from '../platform/visibility';
import { floatingIpsVia } from '../floating-ips/floating-ip-facts';
import { QuotaGuard } from '../quotas/quota-guard';
import { interfaceSubnets } from './router-facts';
import { clearsGateway, deleteClearedGatewayPorts, resolveGateway } from './router-gateway';
import type { CreateRouterInput, GatewayInfoInput, UpdateRouterInput } from './router.input';

export const routerNotFound = (id: string) => `Router ${id} could not be found`;

/** Whether new routers are HA when the request does not say (Neutron's l3_ha option). */
export const ROUTER_HA_DEFAULT = Symbol('ROUTER_HA_DEFAULT');

export const loadRouter = (uow: UnitOfWork, id: string): Promise<RouterState> => uow.load(routerDecider, routerStream(id));

/**
 * The router row a caller may change, or 404/403 as Neutron answers; `changes` are judged by
 * the attribute rules (ha, distributed, the gateway's enable_snat and external_fixed_ips: admin only).
 */
export async function changeableRouter(
  uow: UnitOfWork,
  ctx: RequestContext,
  id: string,
  action: string,
  changes: Body = {},
): Promise<Body> {
  const body = visibleOr404(ctx, 'router', await uow.resources.get(ROUTER, id, uow.tx), 'RouterNotFound', routerNotFound(id));
  assertCanChange(ctx, action, body, changes);
  return body;
}

/** We have no DVR to offer. */
function refuseDistributed(input: { distributed?: boolean }): void {
  if (input.distributed) fail(400, 'BadRequest', 'Bad router request: Distributed (DVR) routers are not supported.');
}

@Injectable()
export class RoutersService {
  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    private readonly quota: QuotaGuard,
    // Injected so the setting is wired in one place; absent, routers are legacy as in Neutron's default.
    @Optional() @Inject(ROUTER_HA_DEFAULT) private readonly haDefault: boolean = false,
  ) {}

  async create(ctx: RequestContext, input: CreateRouterInput) {
    const projectId = authorizeCreate(ctx, 'create_router', input);
    refuseDistributed(input);
    const id = randomUUID();
    const router: RouterData = {
      id,
      projectId,
      name: input.name ?? '',
      description: input.description ?? '',
      adminStateUp: input.admin_state_up ?? true,
      ha: input.ha ?? this.haDefault,
    };
    await this.ws.runner.run(ctx, async (uow) => {
      await this.quota.check(uow, 'router', projectId);
      const info = input.external_gateway_info ?? null;
      const gateway = clearsGateway(info)
        ? null
        : await resolveGateway(uow, ctx, id, null, info as GatewayInfoInput & { network_id: string }, (gw) =>
            routerDecider.decide({ type: 'CreateRouter', data: { ...router, gateway: gw } }, routerDecider.initialState()),
          );
      await uow.decide(routerDecider, routerStream(id), { type: 'CreateRouter', data: { ...router, gateway } });
    });
    return { router: await this.show(ctx, id) };
  }

  async update(ctx: RequestContext, id: string, input: UpdateRouterInput) {
    refuseDistributed(input);
    await this.ws.runner.run(ctx, async (uow) => {
      await changeableRouter(uow, ctx, id, 'update_router', input);
      // The gateway first, as Neutron's update_router does.
      if (input.external_gateway_info !== undefined) await this.updateGateway(uow, ctx, id, input.external_gateway_info);
      const changes = { name: input.name, description: input.description, adminStateUp: input.admin_state_up, ha: input.ha };
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      await uow.decide(routerDecider, routerStream(id), { type: 'UpdateRouter', data: { id, changes: defined } });
    });
    return { router: await this.show(ctx, id) };
  }

  private async updateGateway(uow: UnitOfWork, ctx: RequestContext, id: string, info: GatewayInfoInput | null) {
    const state = await loadRouter(uow, id);
    if (state.status !== 'active') fail(404, 'RouterNotFound', routerNotFound(id));
    const current = state.gateway?.networkId;
    const leaves = current !== undefined && (clearsGateway(info) || info?.network_id !== current);
    if (leaves && (await floatingIpsVia(uow, id)).some((f) => f.floatingNetworkId === current)) {
      fail(
        409,
        'RouterExternalGatewayInUseByFloatingIp',
        `Gateway cannot be updated for router ${id}, since a gateway to external network ${current} is required by one or more floating IPs.`,
      );
    }
    if (clearsGateway(info)) {
      if (info && (info.enable_snat !== undefined || info.external_fixed_ips !== undefined)) {
        fail(400, 'BadRequest', 'Bad router request: external_gateway_info needs a network_id.');
      }
      const events = await uow.decide(routerDecider, routerStream(id), { type: 'ClearRouterGateway', data: { routerId: id } });
      return deleteClearedGatewayPorts(uow, events);
    }
    const ifaces = await interfaceSubnets(uow, state);
    const command = (gateway: GatewayRequest) => ({
      type: 'SetRouterGateway' as const,
      data: { routerId: id, gateway, interfaceSubnets: ifaces },
    });
    const gateway = await resolveGateway(uow, ctx, id, state.gateway, info as GatewayInfoInput & { network_id: string }, (gw) =>
      routerDecider.decide(command(gw), state),
    );
    const events = await uow.decide(routerDecider, routerStream(id), command(gateway));
    await deleteClearedGatewayPorts(uow, events);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.ws.runner.run(ctx, async (uow) => {
      await changeableRouter(uow, ctx, id, 'delete_router');
      // RouterInUse while interfaces remain; otherwise the gateway is cleared first and its port deleted.
      const events = await uow.decide(routerDecider, routerStream(id), { type: 'DeleteRouter', data: { id } });
      await deleteClearedGatewayPorts(uow, events);
    });
  }

  async show(ctx: RequestContext, id: string) {
    return present(ctx, visibleOr404(ctx, 'router', await this.ws.resources.get(ROUTER, id), 'RouterNotFound', routerNotFound(id)));
  }
}

/** What a caller reads: `get_router:ha` and `get_router:distributed` (admins only by default). */
export function present(ctx: RequestContext, body: Body): Body {
  const out = { ...body };
  for (const attr of ADMIN_ONLY_ATTRIBUTES) if (!may(ctx, `get_router:${attr}`, body)) delete out[attr];
  return out;
}
