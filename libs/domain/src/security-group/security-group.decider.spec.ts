import { spec } from '../testing/given-when-then';
import { defaultSecurityGroupCommand, type SecurityGroupData, type SecurityGroupRule } from './security-group.commands';
import { securityGroupDecider } from './security-group.decider';

const { given } = spec(securityGroupDecider);

const web: SecurityGroupData = { id: 'sg1', projectId: 'p1', name: 'web', description: '', isDefault: false, stateful: true };
const rule = (id: string, over: Partial<SecurityGroupRule>): SecurityGroupRule => ({
  id,
  securityGroupId: 'sg1',
  projectId: 'p1',
  direction: 'egress',
  ethertype: 'IPv4',
  protocol: null,
  portRangeMin: null,
  portRangeMax: null,
  remoteIpPrefix: null,
  remoteGroupId: null,
  description: '',
  ...over,
});
const webCreated = [
  { type: 'SecurityGroupCreated' as const, data: web },
  { type: 'SecurityGroupRuleCreated' as const, data: rule('e4', {}) },
  { type: 'SecurityGroupRuleCreated' as const, data: rule('e6', { ethertype: 'IPv6' }) },
];
const createWeb = { type: 'CreateSecurityGroup' as const, data: { ...web, ruleIds: { egressIPv4: 'e4', egressIPv6: 'e6' } } };
const defaultIds = { id: 'dsg', egressIPv4: 'de4', egressIPv6: 'de6', ingressIPv4: 'di4', ingressIPv6: 'di6' };

describe('security group decider: groups', () => {
  it('creates a group with Neutron’s two egress rules (any protocol, IPv4 and IPv6)', () => {
    given([]).when(createWeb).thenEvents(webCreated);
  });

  it('creates the default group with ingress from itself and egress, per ethertype', () => {
    const d = (id: string, over: Partial<SecurityGroupRule>) => rule(id, { securityGroupId: 'dsg', ...over });
    given([])
      .when(defaultSecurityGroupCommand('p1', defaultIds))
      .thenEvents([
        {
          type: 'SecurityGroupCreated',
          data: { id: 'dsg', projectId: 'p1', name: 'default', description: 'Default security group', isDefault: true, stateful: true },
        },
        { type: 'SecurityGroupRuleCreated', data: d('di4', { direction: 'ingress', remoteGroupId: 'dsg' }) },
        { type: 'SecurityGroupRuleCreated', data: d('de4', {}) },
        { type: 'SecurityGroupRuleCreated', data: d('di6', { direction: 'ingress', ethertype: 'IPv6', remoteGroupId: 'dsg' }) },
        { type: 'SecurityGroupRuleCreated', data: d('de6', { ethertype: 'IPv6' }) },
      ]);
  });

  it('ensuring the default group again changes nothing', () => {
    const created = securityGroupDecider.decide(defaultSecurityGroupCommand('p1', defaultIds), { status: 'absent' }) as never[];
    given(created).when(defaultSecurityGroupCommand('p1', defaultIds)).thenEvents([]);
  });

  it('makes the default group again after an admin deleted it', () => {
    const created = securityGroupDecider.decide(defaultSecurityGroupCommand('p1', defaultIds), { status: 'absent' }) as never[];
    const deleted = { type: 'SecurityGroupDeleted' as const, data: { id: 'dsg', projectId: 'p1' } };
    given([...created, deleted])
      .when(defaultSecurityGroupCommand('p1', defaultIds))
      .thenEvents(created);
    given([...webCreated, { ...deleted, data: { id: 'sg1', projectId: 'p1' } }])
      .when(createWeb)
      .thenRejected(409, 'SecurityGroupExists');
  });

  it('refuses a tenant group named default, in any case', () => {
    given([])
      .when({ ...createWeb, data: { ...createWeb.data, name: 'Default' } })
      .thenRejected(409, 'SecurityGroupDefaultAlreadyExists', /Default security group already exists/);
  });

  it('refuses a default group without ids for its ingress rules', () => {
    const cmd = defaultSecurityGroupCommand('p1', defaultIds);
    given([])
      .when({ ...cmd, data: { ...cmd.data, ruleIds: { egressIPv4: 'a', egressIPv6: 'b' } } })
      .thenRejected(400, 'InvalidInput');
  });

  it('switches a group between stateful and stateless only while no port uses it', () => {
    const stateless = (portsUsingGroup: number) => ({
      type: 'UpdateSecurityGroup' as const,
      data: { id: 'sg1', changes: { stateful: false }, portsUsingGroup },
    });
    given(webCreated)
      .when(stateless(0))
      .thenEvents([{ type: 'SecurityGroupUpdated', data: { id: 'sg1', projectId: 'p1', changes: { stateful: false } } }]);
    given(webCreated)
      .when(stateless(2))
      .thenRejected(409, 'SecurityGroupInUse', /Security Group sg1 in use/);
  });

  it('refuses to create a group twice', () => {
    given(webCreated).when(createWeb).thenRejected(409, 'SecurityGroupExists');
  });

  it('records only the attributes that change, and nothing when none do', () => {
    given(webCreated)
      .when({ type: 'UpdateSecurityGroup', data: { id: 'sg1', changes: { name: 'web', description: 'front' } } })
      .thenEvents([{ type: 'SecurityGroupUpdated', data: { id: 'sg1', projectId: 'p1', changes: { description: 'front' } } }]);
    given(webCreated)
      .when({ type: 'UpdateSecurityGroup', data: { id: 'sg1', changes: { name: 'web' } } })
      .thenEvents([]);
  });

  it('refuses to rename a group to default', () => {
    given(webCreated)
      .when({ type: 'UpdateSecurityGroup', data: { id: 'sg1', changes: { name: 'default' } } })
      .thenRejected(409, 'SecurityGroupDefaultAlreadyExists');
  });

  it('refuses to rename the default group but lets its description change', () => {
    const created = securityGroupDecider.decide(defaultSecurityGroupCommand('p1', defaultIds), { status: 'absent' }) as never[];
    given(created)
      .when({ type: 'UpdateSecurityGroup', data: { id: 'dsg', changes: { name: 'mine' } } })
      .thenRejected(409, 'SecurityGroupCannotUpdateDefault', /Updating default security group not allowed/);
    given(created)
      .when({ type: 'UpdateSecurityGroup', data: { id: 'dsg', changes: { description: 'x' } } })
      .thenEvents([{ type: 'SecurityGroupUpdated', data: { id: 'dsg', projectId: 'p1', changes: { description: 'x' } } }]);
  });

  it('does not update an unknown group', () => {
    given([])
      .when({ type: 'UpdateSecurityGroup', data: { id: 'sg1', changes: { description: 'x' } } })
      .thenRejected(404, 'SecurityGroupNotFound', /Security group sg1 does not exist/);
  });

  it('refuses to delete a group that ports use', () => {
    given(webCreated)
      .when({ type: 'DeleteSecurityGroup', data: { id: 'sg1', portsUsingGroup: 3, isAdmin: true } })
      .thenRejected(409, 'SecurityGroupInUse', /^Security Group sg1 in use\.$/);
  });

  it('lets only an admin delete the default group', () => {
    const created = securityGroupDecider.decide(defaultSecurityGroupCommand('p1', defaultIds), { status: 'absent' }) as never[];
    given(created)
      .when({ type: 'DeleteSecurityGroup', data: { id: 'dsg', portsUsingGroup: 0, isAdmin: false } })
      .thenRejected(409, 'SecurityGroupCannotRemoveDefault', /Insufficient rights/);
    given(created)
      .when({ type: 'DeleteSecurityGroup', data: { id: 'dsg', portsUsingGroup: 0, isAdmin: true } })
      .thenEvents([{ type: 'SecurityGroupDeleted', data: { id: 'dsg', projectId: 'p1' } }]);
  });

  it('deletes a group with its rules, after which it is gone', () => {
    const deleted = { type: 'SecurityGroupDeleted' as const, data: { id: 'sg1', projectId: 'p1' } };
    given(webCreated)
      .when({ type: 'DeleteSecurityGroup', data: { id: 'sg1', portsUsingGroup: 0, isAdmin: false } })
      .thenEvents([deleted]);
    const after = given([...webCreated, deleted]);
    expect(after.state).toEqual({ status: 'deleted', id: 'sg1' });
    after
      .when({ type: 'DeleteSecurityGroup', data: { id: 'sg1', portsUsingGroup: 0, isAdmin: false } })
      .thenRejected(404, 'SecurityGroupNotFound');
  });
});
