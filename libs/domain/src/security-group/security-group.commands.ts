import type { DataOf } from '@cp/events';

export type SecurityGroupData = DataOf<'SecurityGroupCreated'>;
export type SecurityGroupRule = DataOf<'SecurityGroupRuleCreated'>;

/**
 * Ids for the rules Neutron adds to every new group, generated at the edge.
 * The ingress ids are needed only for a project's `default` group.
 */
export interface DefaultRuleIds {
  egressIPv4: string;
  egressIPv6: string;
  ingressIPv4?: string;
  ingressIPv6?: string;
}

/** A rule as the API receives it, before Neutron's conversions (protocol name case, CIDR normalisation). */
export interface SecurityGroupRuleRequest {
  id: string;
  securityGroupId: string;
  projectId: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  /** A name (`tcp`, `icmp`, `ipv6-icmp`, ...), a number 0-255 (or its string), or null / `any` for every protocol. */
  protocol: string | number | null;
  portRangeMin: number | null;
  portRangeMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  description: string;
}

export type SecurityGroupCommand =
  | { type: 'CreateSecurityGroup'; data: SecurityGroupData & { ruleIds: DefaultRuleIds } }
  | {
      type: 'UpdateSecurityGroup';
      /** Facts: ports using the group, which must be none for `stateful` to change (Neutron: SecurityGroupInUse). */
      data: { id: string; changes: { name?: string; description?: string; stateful?: boolean }; portsUsingGroup?: number };
    }
  | {
      type: 'DeleteSecurityGroup';
      /** Facts: ports bound to the group (any project), and whether the caller is admin. */
      data: { id: string; portsUsingGroup: number; isAdmin: boolean };
    }
  | {
      type: 'CreateSecurityGroupRule';
      /**
       * Fact: `remoteGroupExists` says the remote group exists and the rule's project may
       * see it (ignored when the remote group is the rule's own group).
       */
      data: SecurityGroupRuleRequest & { remoteGroupExists: boolean };
    }
  | { type: 'DeleteSecurityGroupRule'; data: { id: string; securityGroupId: string } };

export const DEFAULT_GROUP_NAME = 'default';
export const DEFAULT_GROUP_DESCRIPTION = 'Default security group';

/**
 * The command that makes a project's `default` group on first use. The edge should
 * derive `ids.id` from the project id (e.g. a UUIDv5), so concurrent first uses
 * land on one stream and the expected-version check lets only one of them win.
 */
export function defaultSecurityGroupCommand(
  projectId: string,
  ids: { id: string } & Required<DefaultRuleIds>,
): Extract<SecurityGroupCommand, { type: 'CreateSecurityGroup' }> {
  const { id, ...ruleIds } = ids;
  return {
    type: 'CreateSecurityGroup',
    data: {
      id,
      projectId,
      name: DEFAULT_GROUP_NAME,
      description: DEFAULT_GROUP_DESCRIPTION,
      isDefault: true,
      stateful: true,
      ruleIds,
    },
  };
}

/**
 * The rules Neutron creates with a group: all egress per ethertype and, for the
 * `default` group, ingress from members of the group itself. Order follows
 * Neutron's loop (per ethertype: ingress, then egress).
 */
export function initialRules(group: SecurityGroupData, ids: DefaultRuleIds): SecurityGroupRule[] {
  const rule = (id: string, direction: 'ingress' | 'egress', ethertype: 'IPv4' | 'IPv6'): SecurityGroupRule => ({
    id,
    securityGroupId: group.id,
    projectId: group.projectId,
    direction,
    ethertype,
    protocol: null,
    portRangeMin: null,
    portRangeMax: null,
    remoteIpPrefix: null,
    remoteGroupId: direction === 'ingress' ? group.id : null,
    description: '',
  });
  const rules: SecurityGroupRule[] = [];
  if (group.isDefault) rules.push(rule(ids.ingressIPv4!, 'ingress', 'IPv4'));
  rules.push(rule(ids.egressIPv4, 'egress', 'IPv4'));
  if (group.isDefault) rules.push(rule(ids.ingressIPv6!, 'ingress', 'IPv6'));
  rules.push(rule(ids.egressIPv6, 'egress', 'IPv6'));
  return rules;
}
