import { API_TAGS, Tagged } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../platform/ctx.decorator';
import { NeutronBody } from '../platform/neutron-body.decorator';
import { applyListQuery, selectFields, type Query as ListQuery } from '../platform/list-query';
import type { RequestContext } from '../platform/request-context';
import { validateBody } from '../platform/validate-body';
import { agentReportInput, updateAgentInput } from './agent.input';
import { AGENT_ATTRIBUTES } from '@cp/write-model';
import { AgentsService } from './agents.service';

/** Neutron's admin view of agents. */
@Tagged(API_TAGS.agents)
@Controller('v2.0/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @ApiOperation({ summary: 'List agents (admin only); alive means a heartbeat within agent_down_time' })
  async list(@Ctx() ctx: RequestContext, @Query() q: ListQuery) {
    return applyListQuery('agents', await this.agents.list(ctx), q, { attributes: AGENT_ATTRIBUTES });
  }

  @Get(':id')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() q: ListQuery) {
    return { agent: selectFields(await this.agents.show(ctx, id), q) };
  }

  @NeutronBody('agent', updateAgentInput)
  @Put(':id')
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown) {
    return { agent: await this.agents.update(ctx, id, validateBody('agent', updateAgentInput, body)) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.agents.remove(ctx, id);
  }
}

/** What agents call on their hosts: register, then heartbeat with the same call. */
@Tagged(API_TAGS.agentReports)
@Controller('v1/agents')
export class AgentReportsController {
  constructor(private readonly agents: AgentsService) {}

  @NeutronBody('agent', agentReportInput)
  @Put(':agentType/:host')
  @ApiOperation({ summary: 'Register or heartbeat an agent; events are recorded only on registration, change or revival' })
  async report(@Ctx() ctx: RequestContext, @Param('agentType') agentType: string, @Param('host') host: string, @Body() body: unknown) {
    // The report is the bare object; wrap it so validation words errors like every other body.
    return { agent: await this.agents.report(ctx, agentType, host, validateBody('agent', agentReportInput, { agent: body })) };
  }
}
