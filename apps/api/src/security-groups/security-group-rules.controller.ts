import { API_TAGS, Tagged } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../platform/ctx.decorator';
import { NeutronBody } from '../platform/neutron-body.decorator';
import { applyListQuery, selectFields, type Query as ListQuery } from '../platform/list-query';
import type { RequestContext } from '../platform/request-context';
import { validateBody } from '../platform/validate-body';
import { WRITE_SIDE, type WriteSide, SECURITY_GROUP_RULE, SECURITY_GROUP_RULE_ATTRIBUTES } from '@cp/write-model';
import { createSecurityGroupRuleInput } from './security-group.input';
import { canSeeRule, SecurityGroupRulesService } from './security-group-rules.service';

/** Rules cannot be updated in Neutron (no PUT): a change is a delete and a create. */
@Tagged(API_TAGS.securityGroupRules)
@Controller('v2.0/security-group-rules')
export class SecurityGroupRulesController {
  constructor(
    private readonly rules: SecurityGroupRulesService,
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List security group rules visible to the caller (filters, fields, sort, pagination)' })
  async list(@Ctx() ctx: RequestContext, @Query() q: ListQuery) {
    const all = await this.ws.resources.list(SECURITY_GROUP_RULE, ctx.isAdmin ? {} : { projectId: ctx.projectId });
    return applyListQuery(
      'security_group_rules',
      all.filter((b) => canSeeRule(ctx, b)),
      q,
      { attributes: SECURITY_GROUP_RULE_ATTRIBUTES },
    );
  }

  @Get(':id')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() q: ListQuery) {
    return { security_group_rule: selectFields(await this.rules.show(ctx, id), q) };
  }

  @NeutronBody('security_group_rule', createSecurityGroupRuleInput)
  @Post()
  @HttpCode(201)
  async create(@Ctx() ctx: RequestContext, @Body() body: unknown) {
    const input = validateBody('security_group_rule', createSecurityGroupRuleInput, body);
    return { security_group_rule: await this.rules.create(ctx, input) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rules.remove(ctx, id);
  }
}
