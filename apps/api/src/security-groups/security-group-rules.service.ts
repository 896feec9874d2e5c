import { securityGroupStream } from '@cp/write-model';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { securityGroupDecider } from '@cp/domain';
import type { RequestContext } from '../platform/request-context';
import { assertCanChange, canSee, owningProject, visibleOr404 } from '../platform/visibility';
import { WRITE_SIDE, type WriteSide, SECURITY_GROUP, SECURITY_GROUP_RULE } from '@cp/write-model';
import type { CreateSecurityGroupRuleInput } from './security-group.input';
import { groupNotFound } from './security-groups.service';

const ruleNotFound = (id: string) => `Security group rule ${id} does not exist`;

@Injectable()
export class SecurityGroupRulesService {
  constructor(@Inject(WRITE_SIDE) private readonly ws: WriteSide) {}

  async create(ctx: RequestContext, input: CreateSecurityGroupRuleInput) {
    owningProject(ctx, input, 'create_security_group_rule');
    const id = randomUUID();
    const groupId = input.security_group_id;
    await this.ws.runner.run(ctx, async (uow) => {
      const group = visibleOr404(
        ctx,
        await uow.resources.get(SECURITY_GROUP, groupId, uow.tx),
        'SecurityGroupNotFound',
        groupNotFound(groupId),
      );
      assertCanChange(ctx, group, 'create_security_group_rule');
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
          remoteGroupExists: canSee(ctx, remote),
        },
      });
    });
    return this.show(ctx, id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.ws.runner.run(ctx, async (uow) => {
      const rule = visibleOr404(
        ctx,
        await uow.resources.get(SECURITY_GROUP_RULE, id, uow.tx),
        'SecurityGroupRuleNotFound',
        ruleNotFound(id),
      );
      assertCanChange(ctx, rule, 'delete_security_group_rule');
      const securityGroupId = String(rule.security_group_id);
      await uow.decide(securityGroupDecider, securityGroupStream(securityGroupId), {
        type: 'DeleteSecurityGroupRule',
        data: { id, securityGroupId },
      });
    });
  }

  async show(ctx: RequestContext, id: string) {
    return visibleOr404(ctx, await this.ws.resources.get(SECURITY_GROUP_RULE, id), 'SecurityGroupRuleNotFound', ruleNotFound(id));
  }
}
