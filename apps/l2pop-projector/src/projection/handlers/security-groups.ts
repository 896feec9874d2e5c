import type { EventOfType } from '../../../../../libs/events/src';
import type { Ethertype } from '../../model/rules';
import type { Impact } from '../impact';
import type { TxSql } from '../sql';

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
 * Only rules naming a remote group matter here: they make hosts need that
 * group's ipset. Membership itself comes from ports, so a group's own row is
 * kept for completeness but nothing waits for it to exist.
 */
export async function applySecurityGroupEvent(q: TxSql, event: GroupEvent, impact: Impact): Promise<void> {
  switch (event.type) {
    case 'SecurityGroupCreated': {
      const d = event.data;
      await q.run(
        `INSERT INTO l2_sgs (id, project_id, is_default) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, is_default = excluded.is_default`,
        [d.id, d.projectId, d.isDefault ? 1 : 0],
      );
      return;
    }
    case 'SecurityGroupDeleted': {
      const rules = await q.all<RuleRow>('SELECT id, ethertype, remote_group_id FROM l2_sg_rules WHERE sg_id = ?', [
        event.data.id,
      ]);
      await q.run('DELETE FROM l2_sg_rules WHERE sg_id = ?', [event.data.id]);
      await q.run('DELETE FROM l2_sgs WHERE id = ?', [event.data.id]);
      for (const r of rules) if (r.remote_group_id) impact.set(r.remote_group_id, r.ethertype);
      return;
    }
    case 'SecurityGroupRuleCreated': {
      const d = event.data;
      const before = await q.get<RuleRow>('SELECT id, ethertype, remote_group_id FROM l2_sg_rules WHERE id = ?', [d.id]);
      await q.run(
        `INSERT INTO l2_sg_rules (id, sg_id, ethertype, remote_group_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET sg_id = excluded.sg_id, ethertype = excluded.ethertype,
           remote_group_id = excluded.remote_group_id`,
        [d.id, d.securityGroupId, d.ethertype, d.remoteGroupId],
      );
      if (before?.remote_group_id) impact.set(before.remote_group_id, before.ethertype);
      if (d.remoteGroupId) impact.set(d.remoteGroupId, d.ethertype);
      return;
    }
    case 'SecurityGroupRuleDeleted': {
      const before = await q.get<RuleRow>('SELECT id, ethertype, remote_group_id FROM l2_sg_rules WHERE id = ?', [
        event.data.id,
      ]);
      await q.run('DELETE FROM l2_sg_rules WHERE id = ?', [event.data.id]);
      if (before?.remote_group_id) impact.set(before.remote_group_id, before.ethertype);
      return;
    }
  }
}
