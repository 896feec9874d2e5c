import type { NetworkData } from '../network/network.decider';
import { spec } from '../testing/given-when-then';
import { subnetDecider, type CreateSubnetData, type SubnetData } from './subnet.decider';

const network: NetworkData = {
  id: 'n1',
  projectId: 'p1',
  name: 'private',
  description: '',
  adminStateUp: true,
  shared: false,
  external: false,
  mtu: 1450,
  networkType: 'vxlan',
  segmentationId: 1001,
  physicalNetwork: null,
};
const request: CreateSubnetData = {
  id: 's1',
  networkId: 'n1',
  projectId: 'p1',
  name: 'v4',
  description: '',
  ipVersion: 4,
  cidr: '10.0.0.0/24',
  ipv6AddressMode: null,
  ipv6RaMode: null,
  enableDhcp: true,
  dnsNameservers: [],
  hostRoutes: [],
};
const facts: { network: NetworkData | null; existingCidrs: string[] } = { network, existingCidrs: [] };
const v4: SubnetData = { ...request, gatewayIp: '10.0.0.1', allocationPools: [{ start: '10.0.0.2', end: '10.0.0.254' }] };
const created = { type: 'SubnetCreated' as const, data: v4 };
const { given } = spec(subnetDecider);
const create = (data: Partial<CreateSubnetData>, f: Partial<typeof facts> = {}) =>
  given([]).when({ type: 'CreateSubnet', data: { ...request, ...data }, facts: { ...facts, ...f } });
const update = (changes: object, gatewayPortId: string | null = null) =>
  given([created]).when({ type: 'UpdateSubnet', data: { id: 's1', changes }, facts: { gatewayPortId } });

describe('subnet decider: create', () => {
  it('fills the default gateway and pools', () => {
    create({}).thenEvents([created]);
  });

  it('clears host bits and splits pools around a chosen gateway', () => {
    create({ cidr: '10.0.0.77/24', gatewayIp: '10.0.0.100' }).thenEvents([
      {
        type: 'SubnetCreated',
        data: {
          ...v4,
          gatewayIp: '10.0.0.100',
          allocationPools: [
            { start: '10.0.0.1', end: '10.0.0.99' },
            { start: '10.0.0.101', end: '10.0.0.254' },
          ],
        },
      },
    ]);
  });

  it('creates a subnet without a gateway over the whole block', () => {
    const r = create({ gatewayIp: null }).thenEvents([
      { type: 'SubnetCreated', data: { ...v4, gatewayIp: null, allocationPools: [{ start: '10.0.0.1', end: '10.0.0.254' }] } },
    ]);
    expect(r).toHaveLength(1);
  });

  it('creates an IPv6 subnet in canonical form', () => {
    create({
      ipVersion: 6,
      cidr: '2001:DB8:0:0::/64',
      ipv6AddressMode: 'slaac',
      ipv6RaMode: 'slaac',
      dnsNameservers: ['2001:4860:4860:0:0:0:0:8888'],
    }).thenEvents([
      {
        type: 'SubnetCreated',
        data: {
          ...v4,
          ipVersion: 6,
          cidr: '2001:db8::/64',
          ipv6AddressMode: 'slaac',
          ipv6RaMode: 'slaac',
          gatewayIp: '2001:db8::1',
          allocationPools: [{ start: '2001:db8::2', end: '2001:db8::ffff:ffff:ffff:ffff' }],
          dnsNameservers: ['2001:4860:4860::8888'],
        },
      },
    ]);
  });

  it('accepts a gateway outside the block, as Neutron does', () => {
    create({ gatewayIp: '192.168.0.1' }).thenEvents([
      { type: 'SubnetCreated', data: { ...v4, gatewayIp: '192.168.0.1', allocationPools: [{ start: '10.0.0.1', end: '10.0.0.254' }] } },
    ]);
  });

  it('keeps given pools', () => {
    create({ allocationPools: [{ start: '10.0.0.10', end: '10.0.0.20' }] }).thenEvents([
      { type: 'SubnetCreated', data: { ...v4, allocationPools: [{ start: '10.0.0.10', end: '10.0.0.20' }] } },
    ]);
  });

  it('404s when the network is missing or not visible', () => {
    create({}, { network: null }).thenRejected(404, 'NetworkNotFound', /Network n1 could not be found/);
  });

  it('refuses a CIDR overlapping another subnet of the network', () => {
    create({ cidr: '10.0.0.128/25' }, { existingCidrs: ['10.0.0.0/16'] }).thenRejected(
      400,
      'InvalidInput',
      /^Invalid input for operation: Requested subnet with cidr: 10.0.0.128\/25 for network: n1 overlaps with another subnet\.$/,
    );
    create({}, { existingCidrs: ['10.0.1.0/24', '2001:db8::/64'] }).thenEvents([created]);
  });

  it('refuses malformed, mismatched and /0 CIDRs', () => {
    create({ cidr: 'banana' }).thenRejected(400, 'HTTPBadRequest', /Invalid input for cidr\. Reason: 'banana' is not a valid IP subnet/);
    create({ cidr: '2001:db8::/64' }).thenRejected(400, 'InvalidInput', /cidr '2001:db8::\/64' does not match the ip_version '4'/);
    create({ cidr: '0.0.0.0/0', enableDhcp: false }).thenRejected(400, 'InvalidInput', /0 is not allowed as CIDR prefix length/);
  });

  it('refuses DHCP on a block too small for it', () => {
    create({ cidr: '10.0.0.0/31' }).thenRejected(400, 'InvalidInput', /prefix length that is incompatible with DHCP/);
  });

  it('validates the gateway', () => {
    create({ gatewayIp: '10.0.0.0' }).thenRejected(400, 'InvalidInput', /Gateway is not valid on subnet/);
    create({ gatewayIp: '10.0.0.255' }).thenRejected(400, 'InvalidInput', /Gateway is not valid on subnet/);
    create({ gatewayIp: 'nope' }).thenRejected(400, 'HTTPBadRequest', /'nope' is not a valid IP address/);
    create({ gatewayIp: '2001:db8::1' }).thenRejected(400, 'InvalidInput', /gateway_ip '2001:db8::1' does not match the ip_version '4'/);
  });

  it('refuses pools holding the default gateway, overlapping or out of bounds', () => {
    create({ allocationPools: [{ start: '10.0.0.1', end: '10.0.0.50' }] }).thenRejected(409, 'GatewayConflictWithAllocationPools');
    create({
      allocationPools: [
        { start: '10.0.0.2', end: '10.0.0.50' },
        { start: '10.0.0.40', end: '10.0.0.60' },
      ],
    }).thenRejected(409, 'OverlappingAllocationPools');
    create({ allocationPools: [{ start: '10.0.0.2', end: '10.0.1.5' }] }).thenRejected(400, 'OutOfBoundsAllocationPool');
    create({ allocationPools: [{ start: '10.0.0.50', end: '10.0.0.2' }] }).thenRejected(400, 'InvalidAllocationPool');
  });

  it('validates DNS servers and host routes', () => {
    create({ dnsNameservers: ['8.8.8.8', '8.8.8.8'] }).thenRejected(400, 'HTTPBadRequest', /Duplicate nameserver/);
    create({ dnsNameservers: ['x'] }).thenRejected(400, 'InvalidInput', /Error parsing dns address x/);
    create({ dnsNameservers: ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6'] }).thenRejected(
      400,
      'DNSNameServersExhausted',
    );
    create({ hostRoutes: [{ destination: '2001:db8::/64', nexthop: '10.0.0.1' }] }).thenRejected(400, 'InvalidInput', /destination/);
    create({ hostRoutes: [{ destination: 'x', nexthop: '10.0.0.1' }] }).thenRejected(400, 'InvalidInput', /Invalid route/);
    const routed = create({ hostRoutes: [{ destination: '192.168.0.9/24', nexthop: '10.0.0.5' }] }).thenEvents([
      { type: 'SubnetCreated', data: { ...v4, hostRoutes: [{ destination: '192.168.0.0/24', nexthop: '10.0.0.5' }] } },
    ]);
    expect(routed).toHaveLength(1);
  });

  it('validates IPv6 modes', () => {
    const six = { ipVersion: 6 as const, cidr: '2001:db8::/64' };
    create({ ipv6AddressMode: 'slaac' }).thenRejected(400, 'InvalidInput', /ipv6_address_mode is not valid when ip_version is 4/);
    create({ ...six, ipv6AddressMode: 'slaac', ipv6RaMode: 'dhcpv6-stateful' }).thenRejected(400, 'InvalidInput', /must be the same value/);
    create({ ...six, cidr: '2001:db8::/80', ipv6AddressMode: 'slaac' }).thenRejected(400, 'InvalidInput', /requires the prefix to be \/64/);
    create({ ...six, ipv6AddressMode: 'magic' }).thenRejected(400, 'HTTPBadRequest', /'magic' is not in/);
  });

  it('refuses to create a subnet twice', () => {
    given([created]).when({ type: 'CreateSubnet', data: request, facts }).thenRejected(409, 'SubnetExists');
  });
});

describe('subnet decider: update and delete', () => {
  it('records only what changes', () => {
    update({ name: 'v4', description: 'mine', enableDhcp: true }).thenEvents([
      { type: 'SubnetUpdated', data: { id: 's1', networkId: 'n1', changes: { description: 'mine' } } },
    ]);
    update({ name: 'v4' }).thenEvents([]);
  });

  it('moves the gateway out of the pools only together with the pools', () => {
    update({ gatewayIp: '10.0.0.9' }).thenRejected(409, 'GatewayConflictWithAllocationPools', /10\.0\.0\.2-10\.0\.0\.254/);
    update({ gatewayIp: '10.0.0.254', allocationPools: [{ start: '10.0.0.1', end: '10.0.0.253' }] }).thenEvents([
      {
        type: 'SubnetUpdated',
        data: {
          id: 's1',
          networkId: 'n1',
          changes: { gatewayIp: '10.0.0.254', allocationPools: [{ start: '10.0.0.1', end: '10.0.0.253' }] },
        },
      },
    ]);
  });

  it('refuses new pools that swallow the gateway or leave the block', () => {
    update({ allocationPools: [{ start: '10.0.0.1', end: '10.0.0.5' }] }).thenRejected(409, 'GatewayConflictWithAllocationPools');
    update({ allocationPools: [{ start: '10.0.0.2', end: '10.0.3.5' }] }).thenRejected(400, 'OutOfBoundsAllocationPool');
    update({ allocationPools: [{ start: '10.0.0.2', end: '10.0.0.5' }] }).thenEvents([
      {
        type: 'SubnetUpdated',
        data: { id: 's1', networkId: 'n1', changes: { allocationPools: [{ start: '10.0.0.2', end: '10.0.0.5' }] } },
      },
    ]);
  });

  it('refuses to move a gateway a router port holds', () => {
    update({ gatewayIp: null }, 'router-port').thenRejected(409, 'GatewayIpInUse', /already in use by port router-port/);
    update({ gatewayIp: null }).thenEvents([{ type: 'SubnetUpdated', data: { id: 's1', networkId: 'n1', changes: { gatewayIp: null } } }]);
  });

  it('404s on an unknown subnet', () => {
    given([])
      .when({ type: 'UpdateSubnet', data: { id: 's1', changes: {} } })
      .thenRejected(404, 'SubnetNotFound', /Subnet s1 could not be found/);
  });

  it('refuses to delete a subnet ports still use, then deletes it', () => {
    given([created])
      .when({ type: 'DeleteSubnet', data: { id: 's1' }, facts: { portsInUse: 1 } })
      .thenRejected(
        409,
        'SubnetInUse',
        /^Unable to complete operation on subnet s1: One or more ports have an IP allocation from this subnet\.$/,
      );
    const deleted = { type: 'SubnetDeleted' as const, data: { id: 's1', networkId: 'n1' } };
    given([created])
      .when({ type: 'DeleteSubnet', data: { id: 's1' }, facts: { portsInUse: 0 } })
      .thenEvents([deleted]);
    given([created, deleted])
      .when({ type: 'DeleteSubnet', data: { id: 's1' }, facts: { portsInUse: 0 } })
      .thenRejected(404, 'SubnetNotFound');
  });
});
