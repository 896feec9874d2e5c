import { spec } from '../testing/given-when-then';
import type { SecurityGroupData, SecurityGroupRule, SecurityGroupRuleRequest } from './security-group.commands';
import { securityGroupDecider } from './security-group.decider';

const { given } = spec(securityGroupDecider);

const web: SecurityGroupData = { id: 'sg1', projectId: 'p1', name: 'web', description: '', isDefault: false, stateful: true };
const request: SecurityGroupRuleRequest = {
  id: 'r1',
  securityGroupId: 'sg1',
  projectId: 'p1',
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'tcp',
  portRangeMin: 22,
  portRangeMax: 22,
  remoteIpPrefix: null,
  remoteGroupId: null,
  description: 'ssh',
};
const asRule = (r: SecurityGroupRuleRequest, over: Partial<SecurityGroupRule> = {}): SecurityGroupRule => ({
  ...r,
  protocol: r.protocol === null ? null : String(r.protocol),
  ...over,
});
const created = { type: 'SecurityGroupCreated' as const, data: web };
const ssh = { type: 'SecurityGroupRuleCreated' as const, data: asRule(request) };
const create = (over: Partial<SecurityGroupRuleRequest>, remoteGroupExists = true) => ({
  type: 'CreateSecurityGroupRule' as const,
  data: { ...request, ...over, remoteGroupExists },
});

describe('security group decider: rules', () => {
  it('adds a rule', () => {
    given([created]).when(create({})).thenEvents([ssh]);
  });

  it('lower-cases protocol names and keeps numbers as text, as Neutron stores them', () => {
    given([created])
      .when(create({ protocol: 'TCP' }))
      .thenEvents([{ ...ssh, data: asRule(request, { protocol: 'tcp' }) }]);
    given([created])
      .when(create({ protocol: 6 }))
      .thenEvents([{ ...ssh, data: asRule(request, { protocol: '6' }) }]);
  });

  it('treats protocol any as every protocol', () => {
    given([created])
      .when(create({ protocol: 'any', portRangeMin: null, portRangeMax: null }))
      .thenEvents([{ ...ssh, data: asRule(request, { protocol: null, portRangeMin: null, portRangeMax: null }) }]);
  });

  it('turns legacy ICMP names into ipv6-icmp in IPv6 rules', () => {
    const icmp6 = { ethertype: 'IPv6' as const, portRangeMin: 128, portRangeMax: 0 };
    given([created])
      .when(create({ ...icmp6, protocol: 'icmp' }))
      .thenEvents([{ ...ssh, data: asRule(request, { ...icmp6, protocol: 'ipv6-icmp' }) }]);
    given([created])
      .when(create({ ...icmp6, protocol: 1 }))
      .thenEvents([{ ...ssh, data: asRule(request, { ...icmp6, protocol: '58' }) }]);
  });

  it('rejects unknown protocols and numbers out of 0-255', () => {
    given([created])
      .when(create({ protocol: 'tcpx' }))
      .thenRejected(400, 'SecurityGroupRuleInvalidProtocol');
    given([created])
      .when(create({ protocol: 256 }))
      .thenRejected(400, 'SecurityGroupRuleInvalidProtocol');
  });

  it('validates tcp/udp port ranges like Neutron', () => {
    given([created])
      .when(create({ portRangeMin: 80, portRangeMax: 22 }))
      .thenRejected(400, 'SecurityGroupInvalidPortRange', /port_range_min must be <= port_range_max/);
    given([created])
      .when(create({ protocol: 'udp', portRangeMin: 53, portRangeMax: null }))
      .thenRejected(400, 'SecurityGroupInvalidPortRange');
    given([created])
      .when(create({ portRangeMin: 0, portRangeMax: 10 }))
      .thenRejected(400, 'SecurityGroupInvalidPortValue', /port 0/);
    given([created])
      .when(create({ portRangeMin: 1, portRangeMax: 65536 }))
      .thenRejected(400, 'SecurityGroupInvalidPortValue', /65536/);
  });

  it('requires a protocol with a port range', () => {
    given([created])
      .when(create({ protocol: null }))
      .thenRejected(400, 'SecurityGroupProtocolRequiredWithPorts');
  });

  it('validates ICMP type and code', () => {
    given([created])
      .when(create({ protocol: 'icmp', portRangeMin: 8, portRangeMax: 256 }))
      .thenRejected(400, 'SecurityGroupInvalidIcmpValue', /ICMP code \(port_range_max\) 256/);
    given([created])
      .when(create({ protocol: 'icmp', portRangeMin: null, portRangeMax: 0 }))
      .thenRejected(400, 'SecurityGroupMissingIcmpType');
    given([created])
      .when(create({ protocol: 'icmp', portRangeMin: 8, portRangeMax: null }))
      .thenEvents([{ ...ssh, data: asRule(request, { protocol: 'icmp', portRangeMin: 8, portRangeMax: null }) }]);
  });

  it('refuses ports for protocols without them', () => {
    given([created])
      .when(create({ protocol: 'vrrp' }))
      .thenRejected(400, 'SecurityGroupInvalidProtocolForPort', /Invalid protocol 112/);
  });

  it('refuses IPv6-only protocols in IPv4 rules', () => {
    given([created])
      .when(create({ protocol: 'ipv6-icmp', portRangeMin: null, portRangeMax: null }))
      .thenRejected(400, 'SecurityGroupEthertypeConflictWithProtocol');
  });

  it('normalises the remote prefix to its network and a bare address to a host route', () => {
    given([created])
      .when(create({ remoteIpPrefix: '10.0.0.5/24' }))
      .thenEvents([{ ...ssh, data: asRule(request, { remoteIpPrefix: '10.0.0.0/24' }) }]);
    given([created])
      .when(create({ remoteIpPrefix: '10.0.0.5' }))
      .thenEvents([{ ...ssh, data: asRule(request, { remoteIpPrefix: '10.0.0.5/32' }) }]);
    given([created])
      .when(create({ ethertype: 'IPv6', remoteIpPrefix: '2001:DB8::1/64' }))
      .thenEvents([{ ...ssh, data: asRule(request, { ethertype: 'IPv6', remoteIpPrefix: '2001:db8::/64' }) }]);
  });

  it('rejects invalid prefixes and prefixes of the other family', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/24', 'fe80::1%eth0/64', '10.0.0.0/24/1', 'x']) {
      given([created])
        .when(create({ remoteIpPrefix: bad }))
        .thenRejected(400, 'InvalidCIDR');
    }
    given([created])
      .when(create({ ethertype: 'IPv6', remoteIpPrefix: '10.0.0.0/8' }))
      .thenRejected(400, 'SecurityGroupRuleParameterConflict');
  });

  it('takes a remote prefix or a remote group, not both', () => {
    given([created])
      .when(create({ remoteIpPrefix: '10.0.0.0/8', remoteGroupId: 'sg2' }))
      .thenRejected(400, 'SecurityGroupRemoteGroupAndRemoteIpPrefix');
  });

  it('needs the remote group to exist, unless it is the group itself', () => {
    given([created])
      .when(create({ remoteGroupId: 'sg2' }, false))
      .thenRejected(404, 'SecurityGroupNotFound', /sg2/);
    given([created])
      .when(create({ remoteGroupId: 'sg2' }, true))
      .thenEvents([{ ...ssh, data: asRule(request, { remoteGroupId: 'sg2' }) }]);
    given([created])
      .when(create({ remoteGroupId: 'sg1' }, false))
      .thenEvents([{ ...ssh, data: asRule(request, { remoteGroupId: 'sg1' }) }]);
  });

  it('detects a duplicate rule however it is spelt', () => {
    const duplicate = /Security group rule already exists\. Rule id is r1\./;
    given([created, ssh])
      .when(create({ id: 'r2', protocol: '6', description: 'other' }))
      .thenRejected(409, 'SecurityGroupRuleExists', duplicate);
    const anyV4 = { ...ssh, data: asRule(request, { protocol: null, portRangeMin: null, portRangeMax: null }) };
    given([created, anyV4])
      .when(create({ id: 'r2', protocol: null, portRangeMin: null, portRangeMax: null, remoteIpPrefix: '0.0.0.0/0' }))
      .thenRejected(409, 'SecurityGroupRuleExists', duplicate);
    given([created, ssh])
      .when(create({ id: 'r2', portRangeMax: 23 }))
      .thenEvents([{ ...ssh, data: asRule(request, { id: 'r2', portRangeMax: 23 }) }]);
  });

  it('needs the group', () => {
    given([]).when(create({})).thenRejected(404, 'SecurityGroupNotFound');
  });

  it('deletes a rule, after which it is gone', () => {
    const deleted = { type: 'SecurityGroupRuleDeleted' as const, data: { id: 'r1', securityGroupId: 'sg1', projectId: 'p1' } };
    given([created, ssh])
      .when({ type: 'DeleteSecurityGroupRule', data: { id: 'r1', securityGroupId: 'sg1' } })
      .thenEvents([deleted]);
    given([created, ssh, deleted])
      .when({ type: 'DeleteSecurityGroupRule', data: { id: 'r1', securityGroupId: 'sg1' } })
      .thenRejected(404, 'SecurityGroupRuleNotFound', /Security group rule r1 does not exist/);
    given([created, ssh, deleted]).when(create({})).thenEvents([ssh]);
  });
});
