import { assertNever, conflict, isRejection, notFound, type Decider, type Decision } from '../decider';
import { addInterface, removeInterface } from './router-interfaces';
import { clearGateway, setGateway } from './router-gateway';
import { badRouterRequest, type RouterCommand, type RouterChanges } from './router.commands';
import { evolveRouter, type ActiveRouter, type RouterEvent, type RouterState } from './router.state';

const routerNotFound = (id: string) => notFound('RouterNotFound', `Router ${id} could not be found`);

function decide(command: RouterCommand, state: RouterState): Decision<RouterEvent> {
  switch (command.type) {
    case 'CreateRouter': {
      const { gateway, ...router } = command.data;
      if (state.status !== 'absent') return conflict('RouterExists', `Router ${router.id} already exists`);
      const created: RouterEvent = { type: 'RouterCreated', data: router };
      if (!gateway) return [created];
      // external_gateway_info at creation is a gateway set on a router with no interfaces yet.
      const gw = setGateway(router, {}, null, gateway, []);
      return isRejection(gw) ? gw : [created, ...gw];
    }
    case 'UpdateRouter': {
      const { id, changes } = command.data;
      if (state.status !== 'active') return routerNotFound(id);
      return updateRouter(state, changes);
    }
    case 'AddRouterInterface': {
      if (state.status !== 'active') return routerNotFound(command.data.routerId);
      return addInterface(state, command.data);
    }
    case 'RemoveRouterInterface': {
      if (state.status !== 'active') return routerNotFound(command.data.routerId);
      return removeInterface(state, command.data);
    }
    case 'SetRouterGateway': {
      const { routerId, gateway, interfaceSubnets } = command.data;
      if (state.status !== 'active') return routerNotFound(routerId);
      return setGateway(state.router, state.interfaces, state.gateway, gateway, interfaceSubnets);
    }
    case 'ClearRouterGateway': {
      if (state.status !== 'active') return routerNotFound(command.data.routerId);
      return clearGateway(state.router, state.gateway);
    }
    case 'DeleteRouter': {
      const { id } = command.data;
      if (state.status !== 'active') return routerNotFound(id);
      const ports = Object.keys(state.interfaces);
      if (ports.length > 0) return conflict('RouterInUse', `Router ${id} has ports still attached: ${ports.join(', ')}`);
      const { projectId, ha } = state.router;
      // The gateway port goes first, as in Neutron, so consumers see it leave before the router.
      return [...clearGateway(state.router, state.gateway), { type: 'RouterDeleted', data: { id, projectId, ha } }];
    }
    default:
      return assertNever(command);
  }
}

function updateRouter(state: ActiveRouter, changes: RouterChanges): Decision<RouterEvent> {
  const { router } = state;
  const changed = Object.fromEntries(
    Object.entries(changes).filter(([k, v]) => v !== undefined && router[k as keyof RouterChanges] !== v),
  ) as RouterChanges;
  // Converting between HA and legacy rebuilds the router on its agents; Neutron
  // requires it to be administratively down (in the same request at the latest).
  const adminStateUp = changed.adminStateUp ?? router.adminStateUp;
  if (changed.ha !== undefined && adminStateUp) {
    return badRouterRequest('Cannot change HA attribute of active routers. Please set router admin_state_up to False prior to upgrade');
  }
  if (Object.keys(changed).length === 0) return [];
  return [{ type: 'RouterUpdated', data: { id: router.id, projectId: router.projectId, changes: changed } }];
}

export const routerDecider: Decider<RouterCommand, RouterState, RouterEvent> = {
  decide,
  evolve: evolveRouter,
  initialState: () => ({ status: 'absent' }),
};
