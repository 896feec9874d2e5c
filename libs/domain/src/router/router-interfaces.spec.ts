import { spec } from '../testing/given-when-then';
import type { AddRouterInterfaceData, PortFacts, SubnetFacts } from './router.commands';
import { routerDecider } from './router.decider';
import { created, gatewaySet, interfaceAdded, interfaceRemoved, subnet } from './router.fixtures';

const { given } = spec(routerDecider);
const s1 = subnet('s1', '10.0.1.0/24');
const bySubnet = (sub: SubnetFacts, routerSubnets: { id: string; cidr: string }[] = [], portId = 'ip1') => ({
  type: 'AddRouterInterface' as const,
  data: { routerId: 'r1', by: 'subnet', subnet: sub, portId, routerSubnets } satisfies AddRouterInterfaceData,
});
const port: PortFacts = { id: 'port9', networkId: 'n9', deviceId: '', fixedIps: [{ subnetId: 's9', ipAddress: '10.0.9.5' }] };
const byPort = (p: PortFacts, subnets: SubnetFacts[]) => ({
  type: 'AddRouterInterface' as const,
  data: { routerId: 'r1', by: 'port', port: p, subnets, routerSubnets: [] } satisfies AddRouterInterfaceData,
});
const remove = (data: { portId?: string; subnetId?: string }) => ({
  type: 'RemoveRouterInterface' as const,
  data: { routerId: 'r1', ...data },
});
const onS1 = interfaceAdded('ip1', 'net-s1', ['s1']);

describe('router decider: interfaces', () => {
  it('adds an interface by subnet', () => {
    given([created]).when(bySubnet(s1)).thenEvents([onS1]);
  });

  it('adds an interface by port, with every subnet of its fixed IPs', () => {
    const dual = { ...port, fixedIps: [...port.fixedIps, { subnetId: 's9v6', ipAddress: '2001:db8::5' }] };
    given([created])
      .when(byPort(dual, [subnet('s9', '10.0.9.0/24'), subnet('s9v6', '2001:db8::/64')]))
      .thenEvents([interfaceAdded('port9', 'n9', ['s9', 's9v6'])]);
  });

  it('refuses a second port on a subnet the router is already on', () => {
    given([created, onS1])
      .when(bySubnet(s1))
      .thenRejected(400, 'BadRequest', /^Bad router request: Router already has a port on subnet s1\.$/);
  });

  it('counts the gateway port’s subnets as on the router', () => {
    const ext = subnet('ext-s1', '203.0.113.0/24');
    given([created, gatewaySet()])
      .when(bySubnet(ext))
      .thenRejected(400, 'BadRequest', /already has a port on subnet ext-s1/);
  });

  it('refuses a subnet that overlaps one the router reaches', () => {
    given([created, onS1])
      .when(bySubnet(subnet('s2', '10.0.0.0/16'), [{ id: 's1', cidr: '10.0.1.0/24' }]))
      .thenRejected(400, 'BadRequest', /Cidr 10\.0\.0\.0\/16 of subnet s2 overlaps with cidr 10\.0\.1\.0\/24 of subnet s1/);
    given([created, onS1])
      .when(bySubnet(subnet('s2', '10.0.2.0/24'), [{ id: 's1', cidr: '10.0.1.0/24' }], 'ip2'))
      .thenEvents([interfaceAdded('ip2', 'net-s2', ['s2'])]);
  });

  it('refuses an interface port id the router already has', () => {
    given([created, onS1])
      .when(bySubnet(subnet('s2', '10.0.2.0/24')))
      .thenRejected(400, 'BadRequest', /already has a port ip1/);
  });

  it('refuses a subnet without a gateway IP', () => {
    given([created])
      .when(bySubnet({ ...s1, gatewayIp: null }))
      .thenRejected(400, 'BadRequest', /Subnet for router interface must have a gateway IP/);
  });

  it('refuses an IPv6 subnet that takes RAs from an external router', () => {
    const v6 = subnet('s6', '2001:db8::/64', { ipv6AddressMode: 'slaac' });
    given([created])
      .when(bySubnet(v6))
      .thenRejected(400, 'BadRequest', /configured to receive RAs from an external router/);
  });

  it('refuses a port another device already uses', () => {
    given([created])
      .when(byPort({ ...port, deviceId: 'vm1' }, [subnet('s9', '10.0.9.0/24')]))
      .thenRejected(409, 'PortInUse', /Port already has an attached device vm1/);
  });

  it('refuses a port without fixed IPs, or with two IPv4 subnets', () => {
    given([created])
      .when(byPort({ ...port, fixedIps: [] }, []))
      .thenRejected(400, 'BadRequest', /at least one fixed IP/);
    const two = { ...port, fixedIps: [...port.fixedIps, { subnetId: 's8', ipAddress: '10.0.8.5' }] };
    given([created])
      .when(byPort(two, [subnet('s9', '10.0.9.0/24'), subnet('s8', '10.0.8.0/24')]))
      .thenRejected(400, 'BadRequest', /Cannot have multiple IPv4 subnets on router port/);
  });

  it('needs the facts of every subnet of the port', () => {
    given([created]).when(byPort(port, [])).thenRejected(404, 'SubnetNotFound', /s9/);
  });

  it('removes an interface by port', () => {
    given([created, onS1])
      .when(remove({ portId: 'ip1' }))
      .thenEvents([interfaceRemoved('ip1', 'net-s1', ['s1'])]);
  });

  it('removes an interface by subnet', () => {
    given([created, onS1])
      .when(remove({ subnetId: 's1' }))
      .thenEvents([interfaceRemoved('ip1', 'net-s1', ['s1'])]);
  });

  it('removes only the subnet from a port that has others, which stays', () => {
    const dual = interfaceAdded('port9', 'n9', ['s9', 's9v6']);
    const removed = interfaceRemoved('port9', 'n9', ['s9v6']);
    given([created, dual])
      .when(remove({ subnetId: 's9v6' }))
      .thenEvents([removed]);
    const after = given([created, dual, removed]);
    expect(after.state).toMatchObject({ interfaces: { port9: { networkId: 'n9', subnetIds: ['s9'] } } });
    after.when({ type: 'DeleteRouter', data: { id: 'r1' } }).thenRejected(409, 'RouterInUse');
  });

  it('answers 404 for an interface the router does not have', () => {
    given([created])
      .when(remove({ portId: 'ip1' }))
      .thenRejected(404, 'RouterInterfaceNotFound', /Router r1 does not have an interface with id ip1/);
    given([created])
      .when(remove({ subnetId: 's1' }))
      .thenRejected(404, 'RouterInterfaceNotFoundForSubnet', /Router r1 has no interface on subnet s1/);
  });

  it('refuses a port and subnet that do not match', () => {
    given([created, onS1])
      .when(remove({ portId: 'ip1', subnetId: 's2' }))
      .thenRejected(400, 'SubnetMismatchForPort');
  });

  it('lets the router be deleted once its last interface is removed', () => {
    given([created, onS1, interfaceRemoved('ip1', 'net-s1', ['s1'])])
      .when({ type: 'DeleteRouter', data: { id: 'r1' } })
      .thenEvents([{ type: 'RouterDeleted', data: { id: 'r1', projectId: 'p1', ha: true } }]);
  });
});
