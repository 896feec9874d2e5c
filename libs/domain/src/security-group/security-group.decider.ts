import { assertNever, badRequest, conflict, isRejection, notFound, type Decider, type Decision, type Events } from '../decider';
import {
  DEFAULT_GROUP_NAME,
  initialRules,
  type SecurityGroupCommand,
  type SecurityGroupData,
  type SecurityGroupRule,
} from './security-group.commands';
import { normaliseRule, ruleKey } from './rule-validation';

export type SecurityGroupState =
  | { status: 'absent' }
  | { status: 'active'; group: SecurityGroupData; rules: Readonly<Record<string, SecurityGroupRule>> }
  | { status: 'deleted'; id: string };

export type SecurityGroupEvent = Events<
  'SecurityGroupCreated' | 'SecurityGroupUpdated' | 'SecurityGroupDeleted' | 'SecurityGroupRuleCreated' | 'SecurityGroupRuleDeleted'
>;

const groupNotFound = (id: string) => notFound('SecurityGroupNotFound', `Security group ${id} does not exist`);
/** Neutron's `name_not_default` validator: it applies to every POST and PUT of a group name. */
const isDefaultName = (name: string | undefined) => name !== undefined && name.toLowerCase() === DEFAULT_GROUP_NAME;
const defaultExists = () => conflict('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');

function decide(command: SecurityGroupCommand, state: SecurityGroupState): Decision<SecurityGroupEvent> {
  switch (command.type) {
    case 'CreateSecurityGroup': {
      const { ruleIds, ...group } = command.data;
      if (group.isDefault) {
        // Ensuring the default group is idempotent, as Neutron returns the existing one.
        if (state.status === 'active' && state.group.isDefault && state.group.projectId === group.projectId) return [];
        if (!ruleIds.ingressIPv4 || !ruleIds.ingressIPv6) {
          return badRequest('Invalid input for operation: the default group needs ids for its ingress rules.', 'InvalidInput');
        }
      } else if (isDefaultName(group.name)) {
        return defaultExists();
      }
      // A default group's id is derived from its project, so one an admin deleted comes back on the same stream.
      const reusable = state.status === 'absent' || (state.status === 'deleted' && group.isDefault);
      if (!reusable) return conflict('SecurityGroupExists', `Security group ${group.id} already exists.`);
      return [
        { type: 'SecurityGroupCreated', data: group },
        ...initialRules(group, ruleIds).map((rule) => ({ type: 'SecurityGroupRuleCreated' as const, data: rule })),
      ];
    }
    case 'UpdateSecurityGroup': {
      const { id, changes } = command.data;
      if (isDefaultName(changes.name)) return defaultExists();
      if (state.status !== 'active') return groupNotFound(id);
      // Neutron refuses any `name` in the body for the default group, even an unchanged one.
      if (state.group.isDefault && changes.name !== undefined) {
        return conflict('SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
      }
      const changed = Object.fromEntries(
        Object.entries(changes).filter(([k, v]) => v !== undefined && state.group[k as 'name' | 'description' | 'stateful'] !== v),
      );
      if (changed.stateful !== undefined && (command.data.portsUsingGroup ?? 0) > 0) {
        return conflict('SecurityGroupInUse', `Security Group ${id} in use.`);
      }
      if (Object.keys(changed).length === 0) return [];
      return [{ type: 'SecurityGroupUpdated', data: { id, projectId: state.group.projectId, changes: changed } }];
    }
    case 'DeleteSecurityGroup': {
      const { id, portsUsingGroup, isAdmin } = command.data;
      if (state.status !== 'active') return groupNotFound(id);
      if (portsUsingGroup > 0) return conflict('SecurityGroupInUse', `Security Group ${id} in use.`);
      if (state.group.isDefault && !isAdmin) {
        return conflict('SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.');
      }
      // Its rules go with it: consumers drop them on SecurityGroupDeleted.
      return [{ type: 'SecurityGroupDeleted', data: { id, projectId: state.group.projectId } }];
    }
    case 'CreateSecurityGroupRule': {
      const { remoteGroupExists, ...request } = command.data;
      if (state.status !== 'active') return groupNotFound(request.securityGroupId);
      const rule = normaliseRule(request);
      if (isRejection(rule)) return rule;
      if (rule.remoteGroupId && rule.remoteGroupId !== state.group.id && !remoteGroupExists) {
        return groupNotFound(rule.remoteGroupId);
      }
      const key = ruleKey(rule);
      const existing = Object.values(state.rules).find((r) => r.id === rule.id || ruleKey(r) === key);
      if (existing) {
        return conflict('SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${existing.id}.`);
      }
      return [{ type: 'SecurityGroupRuleCreated', data: rule }];
    }
    case 'DeleteSecurityGroupRule': {
      const { id, securityGroupId } = command.data;
      const rule = state.status === 'active' ? state.rules[id] : undefined;
      if (!rule) return notFound('SecurityGroupRuleNotFound', `Security group rule ${id} does not exist`);
      return [{ type: 'SecurityGroupRuleDeleted', data: { id, securityGroupId, projectId: rule.projectId } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: SecurityGroupState, event: { type: string; data: unknown }): SecurityGroupState {
  const e = event as SecurityGroupEvent;
  switch (e.type) {
    case 'SecurityGroupCreated':
      return { status: 'active', group: e.data, rules: {} };
    case 'SecurityGroupUpdated':
      return state.status === 'active' ? { ...state, group: { ...state.group, ...e.data.changes } } : state;
    case 'SecurityGroupDeleted':
      return { status: 'deleted', id: e.data.id };
    case 'SecurityGroupRuleCreated':
      return state.status === 'active' ? { ...state, rules: { ...state.rules, [e.data.id]: e.data } } : state;
    case 'SecurityGroupRuleDeleted': {
      if (state.status !== 'active') return state;
      const { [e.data.id]: _gone, ...rules } = state.rules;
      return { ...state, rules };
    }
    default:
      return state;
  }
}

export const securityGroupDecider: Decider<SecurityGroupCommand, SecurityGroupState, SecurityGroupEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
};
