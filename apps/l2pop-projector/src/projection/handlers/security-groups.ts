import type { EventOfType } from '@cp/events';
import type { Ethertype } from '../../model/rules';
import type { Batch } from '../batch';

export const SECURITY_GROUP_EVENTS = [
  'SecurityGroupCreated',
  'SecurityGroupDeleted',
  'SecurityGroupRuleCreated',
  'SecurityGroupRuleDeleted',
] as const;
type GroupEvent = EventOfType<(typeof SECURITY_GROUP_EVENTS)[number]>;

interface RuleRow {
  id: string;
  ethertype: Ethertype;
  remote_group_id: string | null;
}

/**
 * Rules naming a remote group make hosts need that group's ipset; every rule
 * is part of the documents of the hosts with a port in its group. Membership
 * itself comes from ports, so a group's own row is kept for completeness but
 * nothing waits for it to exist.
 */
export async function applySecurityGroupEvent({ q, facts, impact }: Batch, event: GroupEvent): Promise<void> {
  switch (event.type) {
    case 'SecurityGroupCreated': {
      const d = event.data;
      await facts.putGroup(d.id, d.projectId, d.isDefault);
      return;
    }
    case 'SecurityGroupDeleted': {
      // The group's rules go with it; read first only to name the sets they made hosts need.
      const rules = impact.tracking
        ? await q.all<RuleRow>('SELECT id, ethertype, remote_group_id FROM l2_sg_rules WHERE sg_id = ?', [event.data.id])
        : [];
      await facts.deleteGroup(event.data.id);
      impact.localGroup(event.data.id);
      for (const r of rules) if (r.remote_group_id) impact.set(r.remote_group_id, r.ethertype);
      return;
    }
    case 'SecurityGroupRuleCreated': {
      const d = event.data;
      const before = impact.tracking ? await ruleById(q, d.id) : undefined;
      await facts.putRule(d.id, {
        sgId: d.securityGroupId,
        ethertype: d.ethertype,
        remoteGroupId: d.remoteGroupId ?? null,
        spec: ruleSpec(d),
      });
      impact.localGroup(d.securityGroupId);
      if (before?.remote_group_id) impact.set(before.remote_group_id, before.ethertype);
      if (d.remoteGroupId) impact.set(d.remoteGroupId, d.ethertype);
      return;
    }
    case 'SecurityGroupRuleDeleted': {
      const before = impact.tracking ? await ruleById(q, event.data.id) : undefined;
      await facts.deleteRule(event.data.id);
      impact.localGroup(event.data.securityGroupId);
      if (before?.remote_group_id) impact.set(before.remote_group_id, before.ethertype);
      return;
    }
  }
}

/** What of a rule only the host's firewall reads, as stored JSON (a fixed key order, so equal rules digest equally). */
export function ruleSpec(r: EventOfType<'SecurityGroupRuleCreated'>['data']): string {
  return JSON.stringify({
    direction: r.direction,
    protocol: r.protocol,
    port_range_min: r.portRangeMin,
    port_range_max: r.portRangeMax,
    remote_ip_prefix: r.remoteIpPrefix,
  });
}

function ruleById(q: Batch['q'], id: string): Promise<RuleRow | undefined> {
  return q.get<RuleRow>('SELECT id, ethertype, remote_group_id FROM l2_sg_rules WHERE id = ?', [id]);
}
