import { API_TAGS, Tagged } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../platform/ctx.decorator';
import { NeutronBody } from '../platform/neutron-body.decorator';
import { applyListQuery, selectFields, type Query as ListQuery } from '../platform/list-query';
import type { RequestContext } from '../platform/request-context';
import { validateBody } from '../platform/validate-body';
import { bulkInputs } from '../platform/bulk';
import { canSee } from '../platform/visibility';
import { WRITE_SIDE, type WriteSide, SECURITY_GROUP, SECURITY_GROUP_ATTRIBUTES } from '@cp/write-model';
import { createSecurityGroupInput, updateSecurityGroupInput } from './security-group.input';
import { SecurityGroupsService } from './security-groups.service';

/** The project whose default group a list makes: Neutron's, i.e. the filtered project or the caller's. */
function listedProject(ctx: RequestContext, q: ListQuery): string {
  const filter = [q.project_id, q.tenant_id].flat().find((v) => typeof v === 'string' && v !== '');
  // A non-admin filtering on another project sees nothing there, and must not create anything there.
  return filter && ctx.isAdmin ? filter.split(',')[0] : ctx.projectId;
}

@Tagged(API_TAGS.securityGroups)
@Controller('v2.0/security-groups')
export class SecurityGroupsController {
  constructor(
    private readonly groups: SecurityGroupsService,
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
  ) {}

  @Get()
  @ApiOperation({ summary: "List security groups visible to the caller; makes the project's default group on first use" })
  async list(@Ctx() ctx: RequestContext, @Query() q: ListQuery) {
    await this.groups.ensureDefault(ctx, listedProject(ctx, q));
    const all = await this.ws.resources.list(SECURITY_GROUP, ctx.isAdmin ? {} : { projectId: ctx.projectId });
    return applyListQuery(
      'security_groups',
      all.filter((b) => canSee(ctx, 'security_group', b)),
      q,
      { attributes: SECURITY_GROUP_ATTRIBUTES },
    );
  }

  @Get(':id')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() q: ListQuery) {
    return { security_group: selectFields(await this.groups.show(ctx, id), q) };
  }

  @NeutronBody('security_group', createSecurityGroupInput)
  @Post()
  @HttpCode(201)
  async create(@Ctx() ctx: RequestContext, @Body() body: unknown) {
    const bulk = bulkInputs('security_group', 'security_groups', createSecurityGroupInput, body);
    if (bulk) return { security_groups: await this.groups.createMany(ctx, bulk) };
    return { security_group: await this.groups.create(ctx, validateBody('security_group', createSecurityGroupInput, body)) };
  }

  @NeutronBody('security_group', updateSecurityGroupInput)
  @Put(':id')
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown) {
    return { security_group: await this.groups.update(ctx, id, validateBody('security_group', updateSecurityGroupInput, body)) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.groups.remove(ctx, id);
  }
}
