import { API_TAGS, Tagged } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../platform/ctx.decorator';
import { NeutronBody } from '../platform/neutron-body.decorator';
import type { RequestContext } from '../platform/request-context';
import { validateBody } from '../platform/validate-body';
import { updateQuotaInput } from './quota.input';
import { QuotasService } from './quotas.service';

@Tagged(API_TAGS.quotas)
@Controller('v2.0/quotas')
export class QuotasController {
  constructor(private readonly quotas: QuotasService) {}

  @Get()
  @ApiOperation({ summary: 'Projects with limits of their own, each with all its limits (get_quota: admins)' })
  async list(@Ctx() ctx: RequestContext) {
    return { quotas: await this.quotas.list(ctx) };
  }

  /** Which project the caller acts for (Neutron's `project` and deprecated `tenant` actions). */
  @Get('project')
  project(@Ctx() ctx: RequestContext) {
    return { project: { project_id: ctx.projectId } };
  }

  @Get('tenant')
  tenant(@Ctx() ctx: RequestContext) {
    return { tenant: { tenant_id: ctx.projectId } };
  }

  @Get(':project_id')
  @ApiOperation({ summary: "A project's limits (its own where set, the defaults elsewhere)" })
  async show(@Ctx() ctx: RequestContext, @Param('project_id') projectId: string) {
    return { quota: await this.quotas.show(ctx, projectId) };
  }

  @Get(':project_id/default')
  defaults(@Ctx() ctx: RequestContext, @Param('project_id') projectId: string) {
    return { quota: this.quotas.defaults(ctx, projectId) };
  }

  @Get(':project_id/details')
  @ApiOperation({ summary: 'Limit, usage and reservations per resource (quota_details)' })
  async details(@Ctx() ctx: RequestContext, @Param('project_id') projectId: string) {
    return { quota: await this.quotas.details(ctx, projectId) };
  }

  @NeutronBody('quota', updateQuotaInput)
  @Put(':project_id')
  @ApiOperation({ summary: "Set some of a project's limits (-1: unlimited); with check_limit, not below current usage" })
  async update(@Ctx() ctx: RequestContext, @Param('project_id') projectId: string, @Body() body: unknown) {
    return { quota: await this.quotas.update(ctx, projectId, validateBody('quota', updateQuotaInput, body)) };
  }

  @Delete(':project_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Back to the defaults' })
  async reset(@Ctx() ctx: RequestContext, @Param('project_id') projectId: string): Promise<void> {
    await this.quotas.reset(ctx, projectId);
  }
}
