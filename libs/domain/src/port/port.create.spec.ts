import { spec } from '../testing/given-when-then';
import { portDecider, type CreatePortData, type CreatePortFacts } from './port.decider';
import { created, facts, MAC, ref, request, s30, s4, s4b, s6, slaac } from './port.fixtures';

const { given } = spec(portDecider);
const create = (data: Partial<CreatePortData> = {}, f: Partial<CreatePortFacts> = {}) =>
  given([]).when({ type: 'CreatePort', data: { ...request, ...data }, facts: { ...facts, ...f } });
const ips = (data: Partial<CreatePortData>, f: Partial<CreatePortFacts>) => {
  const [e] = create(data, f).thenEvents([expect.anything()]);
  return e.type === 'PortCreated' ? e.data.fixedIps : null;
};

describe('port decider: create', () => {
  it('allocates the first pool address and starts unbound', () => {
    create().thenEvents([{ type: 'PortCreated', data: created }]);
  });

  it('binds at creation when a host is given', () => {
    create({ hostId: 'compute-1' }).thenEvents([
      { type: 'PortCreated', data: { ...created, hostId: 'compute-1' } },
      { type: 'PortBoundToHost', data: { ...ref, host: 'compute-1', previousHost: '' } },
    ]);
  });

  it('skips addresses in use', () => {
    expect(ips({}, { usedIps: { s4: new Set(['10.0.0.2', '10.0.0.3', '10.0.0.5']) } })).toEqual([
      { subnetId: 's4', ipAddress: '10.0.0.4' },
    ]);
  });

  it('moves on to the next IPv4 subnet when the first is full, and fails when all are', () => {
    const full = { s30: new Set(['192.168.9.2']) };
    expect(ips({}, { subnets: [s30, s4b], usedIps: full })).toEqual([{ subnetId: 's4b', ipAddress: '10.0.1.2' }]);
    create({}, { subnets: [s30], usedIps: full }).thenRejected(
      409,
      'IpAddressGenerationFailure',
      /^No more IP addresses available on network n1\.$/,
    );
    create({ fixedIps: [{ subnetId: 's30' }] }, { subnets: [s30], usedIps: full }).thenRejected(
      409,
      'IpAddressGenerationFailure',
      /subnet s30/,
    );
  });

  it('gives a dual-stack port one IPv4, one stateful IPv6 and its SLAAC address', () => {
    expect(ips({}, { subnets: [s4, s6, slaac, s4b], usedIps: { s6: new Set(['2001:db8::2']) } })).toEqual([
      { subnetId: 's4', ipAddress: '10.0.0.2' },
      { subnetId: 's6', ipAddress: '2001:db8::3' },
      { subnetId: 'slaac', ipAddress: '2001:db8:1:0:f816:3eff:fe11:2233' },
    ]);
  });

  it('gives router interfaces no automatic SLAAC address', () => {
    expect(ips({ deviceOwner: 'network:router_interface', securityGroups: [] }, { subnets: [slaac] })).toEqual([]);
  });

  it('honours requested addresses, in canonical form', () => {
    expect(
      ips({ fixedIps: [{ subnetId: 's6', ipAddress: '2001:DB8:0::10' }, { ipAddress: '10.0.1.7' }] }, { subnets: [s4, s4b, s6] }),
    ).toEqual([
      { subnetId: 's6', ipAddress: '2001:db8::10' },
      { subnetId: 's4b', ipAddress: '10.0.1.7' },
    ]);
  });

  it('allocates twice on one subnet without handing out the same address', () => {
    expect(ips({ fixedIps: [{ subnetId: 's4' }, { subnetId: 's4' }] }, {})).toEqual([
      { subnetId: 's4', ipAddress: '10.0.0.2' },
      { subnetId: 's4', ipAddress: '10.0.0.3' },
    ]);
  });

  it('refuses addresses outside the named subnet or on none of the network', () => {
    create({ fixedIps: [{ subnetId: 's4', ipAddress: '10.0.1.5' }] }).thenRejected(
      400,
      'InvalidIpForSubnet',
      /^IP address 10\.0\.1\.5 is not a valid IP for the specified subnet\.$/,
    );
    create({ fixedIps: [{ subnetId: 's4', ipAddress: '10.0.0.255' }] }).thenRejected(400, 'InvalidIpForSubnet');
    create({ fixedIps: [{ ipAddress: '172.16.0.5' }] }).thenRejected(
      400,
      'InvalidIpForNetwork',
      /172\.16\.0\.5 is not a valid IP for any of the subnets/,
    );
    create({ fixedIps: [{ ipAddress: 'x' }] }).thenRejected(400, 'HTTPBadRequest', /'x' is not a valid IP address/);
  });

  it('refuses an address already allocated, or asked for twice', () => {
    create({ fixedIps: [{ ipAddress: '10.0.0.9' }] }, { usedIps: { s4: new Set(['10.0.0.9']) } }).thenRejected(
      409,
      'IpAddressAlreadyAllocated',
      /^IP address 10\.0\.0\.9 already allocated in subnet s4$/,
    );
    create({ fixedIps: [{ ipAddress: '10.0.0.9' }, { subnetId: 's4', ipAddress: '10.0.0.9' }] }).thenRejected(
      409,
      'IpAddressAlreadyAllocated',
    );
  });

  it('refuses malformed fixed_ips entries', () => {
    create({ fixedIps: [{ subnetId: 'elsewhere' }] }).thenRejected(400, 'InvalidInput', /fixed_ips included invalid subnet elsewhere/);
    create({ fixedIps: [{}] }).thenRejected(400, 'InvalidInput', /requires subnet_id or ip_address/);
    create({ fixedIps: [{ subnetId: 's4' }] }, { subnets: [] }).thenRejected(400, 'InvalidInput', /requires subnets for network/);
    create({ fixedIps: Array.from({ length: 6 }, () => ({ subnetId: 's4' })) }).thenRejected(
      400,
      'InvalidInput',
      /maximum amount of fixed ips/,
    );
    create({ fixedIps: [{ subnetId: 'slaac', ipAddress: '2001:db8:1::5' }] }, { subnets: [slaac] }).thenRejected(
      400,
      'AllocationOnAutoAddressSubnet',
    );
  });

  it('creates a port without addresses when asked or when the network has no subnet', () => {
    expect(ips({ fixedIps: [] }, {})).toEqual([]);
    expect(ips({}, { subnets: [] })).toEqual([]);
  });

  it('checks the network and the MAC', () => {
    create({}, { network: null }).thenRejected(404, 'NetworkNotFound', /Network n1 could not be found/);
    create({ macAddress: '01:00:5e:00:00:01' }).thenRejected(400, 'HTTPBadRequest', /not a valid MAC address/);
    create({ macAddress: 'FA:16:3E:AA:BB:CC', macGenerated: false }, { macInUse: true }).thenRejected(
      409,
      'MacAddressInUse',
      /^Unable to complete operation for network n1\. The mac address fa:16:3e:aa:bb:cc is in use\.$/,
    );
    create({}, { macInUse: true }).thenRejected(409, 'MacAddressGenerationFailure');
    const [e] = create({ macAddress: 'FA-16-3E-AA-BB-CC', macGenerated: false }).thenEvents([expect.anything()]);
    expect(e.type === 'PortCreated' && e.data.macAddress).toBe('fa:16:3e:aa:bb:cc');
  });

  it('ties security groups and address pairs to port security', () => {
    create({ portSecurityEnabled: false }).thenRejected(400, 'PortSecurityAndIPRequiredForSecurityGroups');
    create({ portSecurityEnabled: false, securityGroups: [], allowedAddressPairs: [{ ipAddress: '10.0.0.50' }] }).thenRejected(
      409,
      'AddressPairAndPortSecurityRequired',
    );
    const [e] = create({ portSecurityEnabled: false, securityGroups: [] }).thenEvents([expect.anything()]);
    expect(e.type === 'PortCreated' && e.data.securityGroups).toEqual([]);
  });

  it('404s on security groups that do not exist', () => {
    create({ securityGroups: ['sg-x'] }, { missingSecurityGroups: ['sg-x'] }).thenRejected(
      404,
      'SecurityGroupNotFound',
      /Security group sg-x does not exist/,
    );
  });

  it('validates allowed address pairs and fills in the port MAC', () => {
    const pairs = [{ ipAddress: '10.0.0.50' }, { ipAddress: '2001:DB8::/64', macAddress: 'FA:16:3E:00:00:01' }];
    const [e] = create({ allowedAddressPairs: pairs }).thenEvents([expect.anything()]);
    expect(e.type === 'PortCreated' && e.data.allowedAddressPairs).toEqual([
      { ipAddress: '10.0.0.50', macAddress: MAC },
      { ipAddress: '2001:db8::/64', macAddress: 'fa:16:3e:00:00:01' },
    ]);
    create({ allowedAddressPairs: [{ ipAddress: '10.0.0.300' }] }).thenRejected(400, 'HTTPBadRequest', /allowed_address_pairs/);
    create({ allowedAddressPairs: [{ ipAddress: '10.0.0.5', macAddress: 'zz' }] }).thenRejected(
      400,
      'HTTPBadRequest',
      /'zz' is not a valid MAC/,
    );
    create({ allowedAddressPairs: [{ ipAddress: '10.0.0.5' }, { ipAddress: '10.0.0.5', macAddress: MAC }] }).thenRejected(
      400,
      'DuplicateAddressPairInRequest',
    );
    create({ allowedAddressPairs: Array.from({ length: 11 }, (_, i) => ({ ipAddress: `10.0.0.${i + 10}` })) }).thenRejected(
      400,
      'AllowedAddressPairExhausted',
    );
  });

  it('refuses to create a port twice', () => {
    given([{ type: 'PortCreated', data: created }])
      .when({ type: 'CreatePort', data: request, facts })
      .thenRejected(409, 'PortExists');
  });
});
