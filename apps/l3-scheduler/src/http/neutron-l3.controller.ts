import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { z } from 'zod';
import type { CommandContext } from '@cp/events';
import { API_TAGS, NeutronExceptionFilter, Tagged, type HttpReply, type HttpRequest } from '@cp/runtime';
import { L3Runtime } from '../runtime';
import { addRouterToAgent, removeRouterFromAgent } from '../scheduler/manual-scheduling';
import { enforceRule, l3CallerOf, neutronFail } from './neutron-http';

/** `{"router_id": "<uuid>"}`, or Neutron's 400. */
function routerIdOf(body: unknown): string {
  const id = (body as { router_id?: unknown } | null)?.router_id;
  if (!z.string().uuid().safeParse(id).success) {
    neutronFail(400, 'BadRequest', `Bad l3-router request: router_id must be a router's UUID.`);
  }
  return id as string;
}

/**
 * Neutron's l3_agent_scheduler extension, read side: which L3 agents host a
 * router (with each one's HA state, as `openstack network agent list --router
 * <id> --long` shows it) and which routers an agent hosts. Admin only, as in
 * Neutron's policy.
 */
// Neutron error bodies wherever the module is mounted (the API, its own process, a test app).
@UseFilters(NeutronExceptionFilter)
@Tagged(API_TAGS.agents)
@Controller()
export class NeutronL3Controller {
  constructor(private readonly runtime: L3Runtime) {}

  private get manual() {
    return { writeSide: this.runtime.options.writeSide, config: this.runtime.config };
  }

  private commandContext(req: HttpRequest): CommandContext {
    const { actor, requestId } = l3CallerOf(req);
    return { projectId: '', actor, requestId, causationId: null, now: new Date().toISOString(), isAdmin: true };
  }

  /** Read-your-writes for the L3 views when the projector runs here; bounded, so a stalled projector cannot hang the call. */
  private async settle(position: number): Promise<void> {
    if (position === 0 || !this.runtime.projector) return;
    await Promise.race([this.runtime.projector.waitFor(position), new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  @Get('v2.0/routers/:id/l3-agents')
  async l3Agents(@Param('id') id: string, @Req() req: HttpRequest) {
    enforceRule(req, 'get_l3-agents');
    const agents = await this.runtime.neutron.l3AgentsOfRouter(id);
    if (!agents) neutronFail(404, 'RouterNotFound', `Router ${id} could not be found`);
    return { agents };
  }

  /**
   * Places the router on the agent (201, body `null` as Neutron answers). The
   * answer waits until this process's read model has it, so the lists above
   * show it at once (embedded mode; a separate projector catches up shortly).
   */
  @Post('v2.0/agents/:id/l3-routers')
  async addRouter(@Param('id') id: string, @Body() body: unknown, @Req() req: HttpRequest, @Res() res: HttpReply) {
    enforceRule(req, 'create_l3-router');
    const routerId = routerIdOf(body);
    await this.settle(await addRouterToAgent(this.manual, this.commandContext(req), id, routerId));
    void res.code(201).type('application/json').send('null');
  }

  @Delete('v2.0/agents/:id/l3-routers/:routerId')
  @HttpCode(204)
  async removeRouter(@Param('id') id: string, @Param('routerId') routerId: string, @Req() req: HttpRequest): Promise<void> {
    enforceRule(req, 'delete_l3-router');
    await this.settle(await removeRouterFromAgent(this.manual, this.commandContext(req), id, routerId));
  }

  @Get('v2.0/agents/:id/l3-routers')
  async l3Routers(@Param('id') id: string, @Req() req: HttpRequest) {
    enforceRule(req, 'get_l3-routers');
    const routers = await this.runtime.neutron.routersOfAgent(id);
    if (!routers) neutronFail(404, 'AgentNotFound', `Agent ${id} could not be found`);
    return { routers };
  }

  /** Not Neutron: the HA picture of a router (VRID, agents, pending reason, split-brain) for operators. */
  @Get('v1/routers/:id/ha')
  @Tagged(API_TAGS.routers)
  async routerHa(@Param('id') id: string, @Req() req: HttpRequest) {
    enforceRule(req, 'get_router_ha');
    const ha = await this.runtime.neutron.routerHa(id);
    if (!ha) neutronFail(404, 'RouterNotFound', `Router ${id} could not be found`);
    return { router_ha: ha };
  }
}
