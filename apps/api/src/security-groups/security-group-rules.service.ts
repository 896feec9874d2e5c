import { securityGroupStream } from '@cp/write-model';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { securityGroupDecider } from '@cp/domain';
import type { RequestContext } from '../platform/request-context';
import { assertCanChange, authorizeCreate, canSee } from '../platform/visibility';
import { QuotaGuard } from '../quotas/quota-guard';
import { type Body, fail } from '@cp/write-model';
import { WRITE_SIDE, type WriteSide, SECURITY_GROUP, SECURITY_GROUP_RULE } from '@cp/write-model';
import type { CreateSecurityGroupRuleInput } from './security-group.input';
import { visibleGroup } from './security-groups.service';

const ruleNotFound = (id: string) => `Security group rule ${id} does not exist`;

@Injectable()
export class SecurityGroupRulesService {
  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    private readonly quota: QuotaGuard,
  ) {}

  async create(ctx: RequestContext, input: CreateSecurityGroupRuleInput) {
    const id = randomUUID();
    const groupId = input.security_group_id;
    await this.ws.runner.run(ctx, async (uow) => {
      const group = visibleGroup(ctx, groupId, await uow.resources.get(SECURITY_GROUP, groupId, uow.tx));
      // The group's owner adds its rules (create_security_group_rule: project member or the group's owner).
      authorizeCreate(ctx, 'create_security_group_rule', { ...input, 'security_group:project_id': group.project_id });
      await this.quota.check(uow, 'security_group_rule', String(group.project_id));
      // Read in this transaction, so a concurrent delete of the remote group conflicts with this create.
      const remote = input.remote_group_id ? await uow.resources.get(SECURITY_GROUP, input.remote_group_id, uow.tx) : null;
      await uow.decide(securityGroupDecider, securityGroupStream(groupId), {
        type: 'CreateSecurityGroupRule',
        data: {
          id,
          securityGroupId: groupId,
          // A rule belongs to its group's project, so it is visible exactly where its group is.
          projectId: String(group.project_id),
          direction: input.direction,
          ethertype: input.ethertype ?? 'IPv4',
          protocol: input.protocol ?? null,
          portRangeMin: input.port_range_min ?? null,
          portRangeMax: input.port_range_max ?? null,
          remoteIpPrefix: input.remote_ip_prefix ?? null,
          remoteGroupId: input.remote_group_id ?? null,
          description: input.description ?? '',
          remoteGroupExists: canSee(ctx, 'security_group', remote),
        },
      });
    });
    return this.show(ctx, id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.ws.runner.run(ctx, async (uow) => {
      const rule = visibleRule(ctx, id, await uow.resources.get(SECURITY_GROUP_RULE, id, uow.tx));
      assertCanChange(ctx, 'delete_security_group_rule', ruleTarget(rule));
      const securityGroupId = String(rule.security_group_id);
      await uow.decide(securityGroupDecider, securityGroupStream(securityGroupId), {
        type: 'DeleteSecurityGroupRule',
        data: { id, securityGroupId },
      });
    });
  }

  async show(ctx: RequestContext, id: string) {
    return visibleRule(ctx, id, await this.ws.resources.get(SECURITY_GROUP_RULE, id));
  }
}

/** A rule belongs to its group's project: the `sg_owner` rules judge it by that. */
export const ruleTarget = (rule: Body): Body => ({ ...rule, 'security_group:project_id': rule.project_id });

export function canSeeRule(ctx: RequestContext, rule: Body): boolean {
  return canSee(ctx, 'security_group_rule', ruleTarget(rule));
}

function visibleRule(ctx: RequestContext, id: string, rule: Body | null): Body {
  if (!rule || !canSeeRule(ctx, rule)) fail(404, 'SecurityGroupRuleNotFound', ruleNotFound(id));
  return rule;
}
