import { spec } from '../testing/given-when-then';
import { checkInterfaceInfo } from './router.commands';
import { routerDecider } from './router.decider';
import { created, gatewaySet, interfaceAdded, publicNet, router } from './router.fixtures';

const { given } = spec(routerDecider);
const cleared = (networkId = 'ext1', portId = 'gw1') => ({
  type: 'RouterGatewayCleared' as const,
  data: { id: 'r1', projectId: 'p1', networkId, portId },
});

describe('router decider: lifecycle', () => {
  it('creates a router', () => {
    given([])
      .when({ type: 'CreateRouter', data: { ...router, gateway: null } })
      .thenEvents([created]);
  });

  it('creates a router with a gateway as a gateway set in the same command', () => {
    given([])
      .when({ type: 'CreateRouter', data: { ...router, gateway: publicNet } })
      .thenEvents([created, gatewaySet()]);
  });

  it('refuses a gateway on a network that is not external, creating nothing', () => {
    const internal = { ...publicNet, network: { ...publicNet.network, external: false } };
    given([])
      .when({ type: 'CreateRouter', data: { ...router, gateway: internal } })
      .thenRejected(400, 'BadRequest', /^Bad router request: Network ext1 is not an external network\.$/);
  });

  it('refuses to create a router twice', () => {
    given([created])
      .when({ type: 'CreateRouter', data: { ...router, gateway: null } })
      .thenRejected(409, 'RouterExists');
  });

  it('records only the attributes that change', () => {
    given([created])
      .when({ type: 'UpdateRouter', data: { id: 'r1', changes: { name: 'r', description: 'edge' } } })
      .thenEvents([{ type: 'RouterUpdated', data: { id: 'r1', projectId: 'p1', changes: { description: 'edge' } } }]);
    given([created])
      .when({ type: 'UpdateRouter', data: { id: 'r1', changes: { ha: true } } })
      .thenEvents([]);
  });

  it('refuses to change ha while the router is administratively up', () => {
    given([created])
      .when({ type: 'UpdateRouter', data: { id: 'r1', changes: { ha: false } } })
      .thenRejected(400, 'BadRequest', /Cannot change HA attribute of active routers/);
  });

  it('changes ha once the router is down, or in the request that takes it down', () => {
    const down = { type: 'RouterUpdated' as const, data: { id: 'r1', projectId: 'p1', changes: { adminStateUp: false } } };
    given([created, down])
      .when({ type: 'UpdateRouter', data: { id: 'r1', changes: { ha: false } } })
      .thenEvents([{ type: 'RouterUpdated', data: { id: 'r1', projectId: 'p1', changes: { ha: false } } }]);
    given([created])
      .when({ type: 'UpdateRouter', data: { id: 'r1', changes: { ha: false, adminStateUp: false } } })
      .thenEvents([{ type: 'RouterUpdated', data: { id: 'r1', projectId: 'p1', changes: { ha: false, adminStateUp: false } } }]);
  });

  it('does not touch an unknown router', () => {
    given([])
      .when({ type: 'UpdateRouter', data: { id: 'r1', changes: { name: 'x' } } })
      .thenRejected(404, 'RouterNotFound', /Router r1 could not be found/);
    given([])
      .when({ type: 'DeleteRouter', data: { id: 'r1' } })
      .thenRejected(404, 'RouterNotFound');
  });

  it('refuses to delete a router that still has interfaces', () => {
    given([created, interfaceAdded('ip1', 'n1', ['s1'])])
      .when({ type: 'DeleteRouter', data: { id: 'r1' } })
      .thenRejected(409, 'RouterInUse', /Router r1 has ports still attached: ip1/);
  });

  it('deletes a router, clearing its gateway first; then it is gone', () => {
    const deleted = { type: 'RouterDeleted' as const, data: { id: 'r1', projectId: 'p1', ha: true } };
    given([created])
      .when({ type: 'DeleteRouter', data: { id: 'r1' } })
      .thenEvents([deleted]);
    given([created, gatewaySet()])
      .when({ type: 'DeleteRouter', data: { id: 'r1' } })
      .thenEvents([cleared(), deleted]);
    expect(given([created, deleted]).state).toEqual({ status: 'deleted', id: 'r1' });
  });
});

describe('router decider: gateway', () => {
  const setGw = (gateway = publicNet, interfaceSubnets: { id: string; cidr: string }[] = []) => ({
    type: 'SetRouterGateway' as const,
    data: { routerId: 'r1', gateway, interfaceSubnets },
  });
  const otherNet = {
    ...publicNet,
    network: { id: 'ext2', external: true, subnets: [{ id: 'ext-s2', cidr: '198.51.100.0/24', gatewayIp: '198.51.100.1' }] },
    portId: 'gw2',
    externalFixedIps: [{ subnetId: 'ext-s2', ipAddress: '198.51.100.7' }],
  };

  it('sets a gateway', () => {
    given([created]).when(setGw()).thenEvents([gatewaySet()]);
  });

  it('replaces a gateway on another network: cleared first, then set', () => {
    given([created, gatewaySet()])
      .when(setGw(otherNet))
      .thenEvents([cleared(), gatewaySet(otherNet)]);
  });

  it('keeps the gateway port on the same network and changes only IPs or SNAT', () => {
    const moved = { ...publicNet, portId: 'unused', externalFixedIps: [{ subnetId: 'ext-s1', ipAddress: '203.0.113.20' }] };
    given([created, gatewaySet()])
      .when(setGw(moved))
      .thenEvents([gatewaySet(moved, 'gw1')]);
    const noSnat = { ...publicNet, portId: 'unused', enableSnat: false };
    given([created, gatewaySet()])
      .when(setGw(noSnat))
      .thenEvents([gatewaySet(noSnat, 'gw1')]);
    given([created, gatewaySet()])
      .when(setGw({ ...publicNet, portId: 'unused' }))
      .thenEvents([]);
  });

  it('refuses an external IP that is the subnet’s gateway IP', () => {
    const bad = { ...publicNet, externalFixedIps: [{ subnetId: 'ext-s1', ipAddress: '203.0.113.1' }] };
    given([created])
      .when(setGw(bad))
      .thenRejected(400, 'BadRequest', /External IP 203\.0\.113\.1 is the same as the gateway IP/);
  });

  it('refuses an external network that overlaps an interface subnet', () => {
    given([created, interfaceAdded('ip1', 'n1', ['s1'])])
      .when(setGw(publicNet, [{ id: 's1', cidr: '203.0.113.128/25' }]))
      .thenRejected(400, 'BadRequest', /Cidr 203\.0\.113\.0\/24 of subnet ext-s1 overlaps with cidr 203\.0\.113\.128\/25 of subnet s1/);
  });

  it('clears a gateway, and clearing none changes nothing', () => {
    given([created, gatewaySet()])
      .when({ type: 'ClearRouterGateway', data: { routerId: 'r1' } })
      .thenEvents([cleared()]);
    given([created])
      .when({ type: 'ClearRouterGateway', data: { routerId: 'r1' } })
      .thenEvents([]);
  });
});

describe('router interface body checks', () => {
  it('needs a subnet or a port, and not both when adding', () => {
    expect(checkInterfaceInfo({}, false)?.message).toBe('Bad router request: Either subnet_id or port_id must be specified.');
    expect(checkInterfaceInfo({ subnet_id: 's', port_id: 'p' }, false)?.message).toMatch(/Cannot specify both subnet-id and port-id/);
    expect(checkInterfaceInfo({ subnet_id: 's', port_id: 'p' }, true)).toBeNull();
  });
});
