import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Caller, withImpliedRoles } from '../caller';
import { Policy, PolicyNotAuthorized } from './policy';
import { parseRule, PolicySyntaxError } from './rule';

const caller = (roles: string[], projectId = 'p1', extra: Partial<Caller> = {}): Caller => ({
  userId: 'u',
  userName: 'u',
  projectId,
  projectName: null,
  domainId: null,
  roles: withImpliedRoles(roles),
  agentHost: null,
  via: 'keystone',
  ...extra,
});
const admin = caller(['admin'], 'ops');
const member = caller(['member']);
const reader = caller(['reader']);
const stranger = caller(['member'], 'p2');
const policy = new Policy();

describe('the rule language', () => {
  it('parses oslo.policy checks with and/or/not, parentheses and %(attr)s', () => {
    expect(parseRule('role:admin or (role:member and project_id:%(project_id)s)')).toEqual({
      kind: 'or',
      checks: [
        { kind: 'role', name: 'admin' },
        {
          kind: 'and',
          checks: [
            { kind: 'role', name: 'member' },
            { kind: 'generic', credential: 'project_id', match: '%(project_id)s' },
          ],
        },
      ],
    });
    expect(parseRule('')).toEqual({ kind: 'always' });
    expect(parseRule('not !')).toEqual({ kind: 'not', check: { kind: 'never' } });
  });

  it('refuses what it cannot read, naming the rule', () => {
    expect(() => parseRule('role:admin or')).toThrow(PolicySyntaxError);
    expect(() => parseRule('(role:admin')).toThrow(/closing parenthesis/);
    expect(() => new Policy({ create_network: 'role:admin and and' })).toThrow(/policy rule create_network/);
  });
});

describe("Neutron's default policy", () => {
  const own = { project_id: 'p1' };
  const other = { project_id: 'p2' };

  it('admin does anything, anywhere', () => {
    for (const action of ['create_network', 'update_network:shared', 'delete_port', 'get_agent', 'get_l3-agents', 'update_router:ha']) {
      expect(policy.allows(admin, action, other)).toBe(true);
    }
  });

  it('a member writes its own project, never another', () => {
    for (const action of ['create_network', 'update_network', 'delete_network', 'create_router', 'create_security_group']) {
      expect(policy.allows(member, action, own)).toBe(true);
      expect(policy.allows(stranger, action, own)).toBe(false);
    }
  });

  it('a reader reads its project and never writes', () => {
    expect(policy.allows(reader, 'get_network', own)).toBe(true);
    expect(policy.allows(reader, 'get_router', own)).toBe(true);
    for (const action of [
      'create_network',
      'update_network',
      'delete_network',
      'create_port',
      'delete_port',
      'create_subnet',
      'create_router',
      'add_router_interface',
      'create_security_group',
      'create_security_group_rule',
      'delete_security_group_rule',
    ]) {
      expect(policy.allows(reader, action, { ...own, 'network:project_id': 'p1', 'security_group:project_id': 'p1' })).toBe(false);
    }
  });

  it('shared and external networks are seen by all, changed by their owner', () => {
    expect(policy.allows(stranger, 'get_network', { ...own, shared: true })).toBe(true);
    expect(policy.allows(stranger, 'get_network', { ...own, 'router:external': true })).toBe(true);
    expect(policy.allows(stranger, 'get_network', own)).toBe(false);
    expect(policy.allows(stranger, 'update_network', { ...own, shared: true })).toBe(false);
    expect(policy.allows(stranger, 'get_subnet', { ...own, 'network:shared': true })).toBe(true);
    // An external network is visible to all; its subnets are not, unless it is shared too.
    expect(policy.allows(stranger, 'get_subnet', { ...own, 'network:router:external': true })).toBe(false);
  });

  it("the network owner rules: a subnet on another's network is the network owner's to make", () => {
    expect(policy.allows(member, 'create_subnet', { project_id: 'p1', 'network:project_id': 'p1' })).toBe(true);
    expect(policy.allows(member, 'create_subnet', { project_id: 'p1', 'network:project_id': 'p2', 'network:shared': true })).toBe(false);
    // A port on a network the caller owns, in another project's name: the network owner may see and delete it.
    expect(policy.allows(member, 'get_port', { project_id: 'p2', 'network:project_id': 'p1' })).toBe(true);
    expect(policy.allows(member, 'delete_port', { project_id: 'p2', 'network:project_id': 'p1' })).toBe(true);
    expect(policy.allows(stranger, 'get_port', { project_id: 'p1', 'network:project_id': 'p1' })).toBe(false);
  });

  it('attribute rules: members cannot set shared, provider or HA attributes', () => {
    expect(() => policy.enforceAttributes(member, 'create_network', { name: 'n', shared: true }, own)).toThrow(PolicyNotAuthorized);
    expect(() => policy.enforceAttributes(member, 'create_network', { name: 'n', shared: false }, own)).not.toThrow();
    expect(() => policy.enforceAttributes(member, 'create_router', { ha: false }, own)).toThrow(/create_router:ha/);
    expect(() => policy.enforceAttributes(member, 'create_network', { 'provider:network_type': 'vlan' }, own)).toThrow(
      /create_network:provider:network_type/,
    );
    expect(() => policy.enforceAttributes(member, 'update_router', { ha: false }, own)).toThrow(/update_router:ha/);
    expect(() =>
      policy.enforceAttributes(member, 'create_router', { external_gateway_info: { network_id: 'x', enable_snat: false } }, own),
    ).toThrow(/enable_snat/);
    expect(() => policy.enforceAttributes(admin, 'create_network', { shared: true, 'provider:network_type': 'vlan' }, own)).not.toThrow();
  });

  it('security group rules follow their group’s owner', () => {
    expect(policy.allows(member, 'get_security_group_rule', { project_id: 'p2', 'security_group:project_id': 'p1' })).toBe(true);
    expect(policy.allows(stranger, 'get_security_group_rule', { project_id: 'p1', 'security_group:project_id': 'p1' })).toBe(false);
  });

  it('agents, the L3 agent views and routers’ HA picture are for operators', () => {
    for (const action of ['get_agent', 'update_agent', 'delete_agent', 'get_l3-agents', 'get_l3-routers', 'get_router_ha']) {
      expect(policy.allows(member, action)).toBe(false);
    }
  });

  it('an agent acts for its own host only; the service user and admins for any', () => {
    const agent = caller(['agent'], 'service', { userName: 'agent:compute-2', agentHost: 'compute-2' });
    const service = caller(['service'], 'service');
    for (const action of ['report_agent', 'report_port_status', 'report_ha_state', 'get_host_l2', 'get_host_l3', 'get_host_dhcp']) {
      expect(policy.allows(agent, action, { host: 'compute-2' })).toBe(true);
      expect(policy.allows(agent, action, { host: 'compute-1' })).toBe(false);
      expect(policy.allows(service, action, { host: 'compute-1' })).toBe(true);
      expect(policy.allows(admin, action, { host: 'compute-1' })).toBe(true);
      expect(policy.allows(member, action, { host: 'compute-1' })).toBe(false);
    }
    // A user merely named like an agent, without the role, is no agent.
    expect(policy.allows(caller(['member'], 'p1', { userName: 'agent:compute-1' }), 'get_host_l2', { host: 'compute-1' })).toBe(false);
  });

  it('an action without a rule is for admins only', () => {
    expect(policy.allows(member, 'no_such_action', own)).toBe(false);
    expect(policy.allows(admin, 'no_such_action', own)).toBe(true);
  });
});

describe('operator overrides', () => {
  it('replace a rule from a YAML (or JSON) file, keeping the other defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, '# only admins make networks here\ncreate_network: "rule:admin_only"\nget_agent: "role:reader"\n');
    const custom = Policy.fromFile(file);
    expect(custom.allows(member, 'create_network', { project_id: 'p1' })).toBe(false);
    expect(custom.allows(reader, 'get_agent')).toBe(true);
    expect(custom.allows(member, 'create_router', { project_id: 'p1' })).toBe(true);
    writeFileSync(file, '{"create_port": "role:admin and"}');
    expect(() => Policy.fromFile(file)).toThrow(/policy rule create_port/);
    writeFileSync(file, '- a list');
    expect(() => Policy.fromFile(file)).toThrow(/expected a map/);
  });
});
