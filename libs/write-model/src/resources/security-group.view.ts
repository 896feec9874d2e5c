import type { DomainEvent, SecurityGroupRule } from '@cp/events';
import { stamp, type ResourceMapper, type ResourceOps } from './resource-mapper';
import type { Body } from './resource-store';

export const SECURITY_GROUP = 'security_group';
export const SECURITY_GROUP_RULE = 'security_group_rule';

/** Attributes of Neutron's security group resource (also what list filters accept). */
export const SECURITY_GROUP_ATTRIBUTES = [
  'id',
  'name',
  'description',
  'tenant_id',
  'project_id',
  'stateful',
  'shared',
  'security_group_rules',
  'tags',
  'created_at',
  'updated_at',
  'revision_number',
] as const;

export const SECURITY_GROUP_RULE_ATTRIBUTES = [
  'id',
  'security_group_id',
  'direction',
  'ethertype',
  'protocol',
  'port_range_min',
  'port_range_max',
  'remote_ip_prefix',
  'remote_group_id',
  'remote_address_group_id',
  'normalized_cidr',
  'description',
  'tenant_id',
  'project_id',
  'created_at',
  'updated_at',
  'revision_number',
] as const;

function ruleBody(r: SecurityGroupRule): Body {
  return {
    id: r.id,
    security_group_id: r.securityGroupId,
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol,
    port_range_min: r.portRangeMin,
    port_range_max: r.portRangeMax,
    remote_ip_prefix: r.remoteIpPrefix,
    remote_group_id: r.remoteGroupId,
    remote_address_group_id: null,
    // The decider already stores the prefix as its network, which is what Neutron's normalized_cidr is.
    normalized_cidr: r.remoteIpPrefix,
    description: r.description,
    tenant_id: r.projectId,
    project_id: r.projectId,
  };
}

/**
 * A group's rules change the group too: its body embeds them, and, as in
 * Neutron, a rule change bumps the group's revision_number and updated_at.
 */
async function putGroupRules(ops: ResourceOps, event: DomainEvent, groupId: string, edit: (rules: Body[]) => Body[]) {
  const group = await ops.get(SECURITY_GROUP, groupId);
  if (!group) return;
  const next = { ...group, security_group_rules: edit(group.security_group_rules as Body[]) };
  await ops.put(SECURITY_GROUP, groupId, String(group.project_id), null, stamp(next, event, false));
}

export const securityGroupMapper: ResourceMapper = {
  handles: ['SecurityGroupCreated', 'SecurityGroupUpdated', 'SecurityGroupDeleted', 'SecurityGroupRuleCreated', 'SecurityGroupRuleDeleted'],
  async apply(event: DomainEvent, ops) {
    switch (event.type) {
      case 'SecurityGroupCreated': {
        const d = event.data;
        const body = {
          id: d.id,
          name: d.name,
          description: d.description,
          tenant_id: d.projectId,
          project_id: d.projectId,
          stateful: d.stateful,
          shared: false,
          security_group_rules: [] as Body[],
          tags: [],
        };
        return ops.put(SECURITY_GROUP, d.id, d.projectId, null, stamp(body, event, true));
      }
      case 'SecurityGroupUpdated': {
        const body = await ops.get(SECURITY_GROUP, event.data.id);
        if (!body) return;
        return ops.put(
          SECURITY_GROUP,
          event.data.id,
          String(body.project_id),
          null,
          stamp({ ...body, ...event.data.changes }, event, false),
        );
      }
      case 'SecurityGroupDeleted': {
        // The group's rules go with it (consumers drop them on SecurityGroupDeleted).
        const body = await ops.get(SECURITY_GROUP, event.data.id);
        for (const r of (body?.security_group_rules ?? []) as Body[]) await ops.remove(SECURITY_GROUP_RULE, String(r.id));
        return ops.remove(SECURITY_GROUP, event.data.id);
      }
      case 'SecurityGroupRuleCreated': {
        const rule = stamp(ruleBody(event.data), event, true);
        await ops.put(SECURITY_GROUP_RULE, event.data.id, event.data.projectId, event.data.securityGroupId, rule);
        return putGroupRules(ops, event, event.data.securityGroupId, (rules) => [...rules.filter((r) => r.id !== rule.id), rule]);
      }
      case 'SecurityGroupRuleDeleted': {
        await ops.remove(SECURITY_GROUP_RULE, event.data.id);
        return putGroupRules(ops, event, event.data.securityGroupId, (rules) => rules.filter((r) => r.id !== event.data.id));
      }
      default:
        return;
    }
  },
};
