import { securityGroupStream } from '@cp/write-model';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { securityGroupDecider } from '@cp/domain';
import {
  type Body,
  type UnitOfWork,
  WRITE_SIDE,
  type WriteSide,
  SecurityGroupPorts,
  SECURITY_GROUP,
  SECURITY_GROUP_RULE,
} from '@cp/write-model';
import type { RequestContext } from '../platform/request-context';
import { assertCanChange, authorizeCreate, visibleOr404 } from '../platform/visibility';
import { createAll } from '../platform/bulk';
import { QuotaGuard } from '../quotas/quota-guard';
import { defaultSecurityGroupId, ensureDefaultSecurityGroup } from './default-group';
import type { CreateSecurityGroupInput, UpdateSecurityGroupInput } from './security-group.input';

export const groupNotFound = (id: string) => `Security group ${id} does not exist`;

@Injectable()
export class SecurityGroupsService {
  private readonly ports: SecurityGroupPorts;

  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    private readonly quota: QuotaGuard,
  ) {
    this.ports = new SecurityGroupPorts(ws.db);
  }

  /**
   * Neutron makes a project's default group on its first list or create. The
   * read-model check spares a write transaction on every later list; the
   * unit of work re-checks inside the transaction.
   */
  async ensureDefault(ctx: RequestContext, projectId: string): Promise<void> {
    if (await this.ws.resources.get(SECURITY_GROUP, defaultSecurityGroupId(projectId))) return;
    await this.ws.runner.run(ctx, (uow) => ensureDefaultSecurityGroup(uow, projectId));
  }

  async create(ctx: RequestContext, input: CreateSecurityGroupInput) {
    return (await this.createMany(ctx, [input]))[0];
  }

  /** One group, or a bulk create's groups, all in one command. */
  async createMany(ctx: RequestContext, inputs: readonly CreateSecurityGroupInput[]) {
    const ids = await createAll(this.ws, ctx, inputs, (uow, input) => this.createIn(uow, ctx, input));
    return Promise.all(ids.map((id) => this.show(ctx, id)));
  }

  private async createIn(uow: UnitOfWork, ctx: RequestContext, input: CreateSecurityGroupInput): Promise<string> {
    const projectId = authorizeCreate(ctx, 'create_security_group', input);
    const id = randomUUID();
    // In the same command: a rejected create (e.g. named "default") leaves nothing behind. The
    // default group counts against the quota like any other, as in Neutron.
    await ensureDefaultSecurityGroup(uow, projectId);
    await this.quota.check(uow, 'security_group', projectId);
    // A new group comes with its two egress rules, which count as Neutron counts them.
    await this.quota.check(uow, 'security_group_rule', projectId, 2);
    await uow.decide(securityGroupDecider, securityGroupStream(id), {
      type: 'CreateSecurityGroup',
      data: {
        id,
        projectId,
        name: input.name ?? '',
        description: input.description ?? '',
        isDefault: false,
        stateful: input.stateful ?? true,
        ruleIds: { egressIPv4: randomUUID(), egressIPv6: randomUUID() },
      },
    });
    return id;
  }

  async update(ctx: RequestContext, id: string, input: UpdateSecurityGroupInput) {
    await this.ws.runner.run(ctx, async (uow) => {
      const body = visibleGroup(ctx, id, await uow.resources.get(SECURITY_GROUP, id, uow.tx));
      assertCanChange(ctx, 'update_security_group', body, input);
      const changes = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      // Read in the command's transaction only when it matters: stateful changes only on an unused group.
      const portsUsingGroup = input.stateful === undefined ? 0 : await this.ports.countPorts(uow.tx, id);
      await uow.decide(securityGroupDecider, securityGroupStream(id), {
        type: 'UpdateSecurityGroup',
        data: { id, changes, portsUsingGroup },
      });
    });
    return this.show(ctx, id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.ws.runner.run(ctx, async (uow) => {
      const body = visibleGroup(ctx, id, await uow.resources.get(SECURITY_GROUP, id, uow.tx));
      assertCanChange(ctx, 'delete_security_group', body);
      // Read in the command's transaction: a port created with this group concurrently
      // either committed first (and is counted) or conflicts with this delete.
      const portsUsingGroup = await this.ports.countPorts(uow.tx, id);
      await this.dropRulesNaming(uow, id);
      await uow.decide(securityGroupDecider, securityGroupStream(id), {
        type: 'DeleteSecurityGroup',
        data: { id, portsUsingGroup, isAdmin: ctx.isAdmin },
      });
    });
  }

  /**
   * Rules of other groups that name this one as their remote group go with it, as
   * Neutron's ON DELETE CASCADE does; recorded as events on their groups' streams so
   * every consumer (ipsets) sees them go. A rejected delete aborts these too.
   */
  private async dropRulesNaming(uow: UnitOfWork, id: string): Promise<void> {
    const rules = await uow.resources.list(SECURITY_GROUP_RULE, {}, uow.tx);
    for (const r of rules) {
      if (r.remote_group_id !== id || r.security_group_id === id) continue;
      const securityGroupId = String(r.security_group_id);
      await uow.decide(securityGroupDecider, securityGroupStream(securityGroupId), {
        type: 'DeleteSecurityGroupRule',
        data: { id: String(r.id), securityGroupId },
      });
    }
  }

  async show(ctx: RequestContext, id: string) {
    return visibleGroup(ctx, id, await this.ws.resources.get(SECURITY_GROUP, id));
  }
}

/** The group if the caller may see it (`get_security_group`), else 404 as Neutron hides it. */
export function visibleGroup(ctx: RequestContext, id: string, body: Body | null): Body {
  return visibleOr404(ctx, 'security_group', body, 'SecurityGroupNotFound', groupNotFound(id));
}
