import { Controller, Get, Param, Req, UseFilters } from '@nestjs/common';
import { NeutronExceptionFilter } from '@cp/runtime';
import type { Request } from 'express';
import { L3Runtime } from '../runtime';
import { enforceRule, neutronFail } from './neutron-http';

/**
 * Neutron's l3_agent_scheduler extension, read side: which L3 agents host a
 * router (with each one's HA state, as `openstack network agent list --router
 * <id> --long` shows it) and which routers an agent hosts. Admin only, as in
 * Neutron's policy.
 */
// Neutron error bodies wherever the module is mounted (the API, its own process, a test app).
@UseFilters(NeutronExceptionFilter)
@Controller()
export class NeutronL3Controller {
  constructor(private readonly runtime: L3Runtime) {}

  @Get('v2.0/routers/:id/l3-agents')
  async l3Agents(@Param('id') id: string, @Req() req: Request) {
    enforceRule(req, 'get_l3-agents');
    const agents = await this.runtime.neutron.l3AgentsOfRouter(id);
    if (!agents) neutronFail(404, 'RouterNotFound', `Router ${id} could not be found`);
    return { agents };
  }

  @Get('v2.0/agents/:id/l3-routers')
  async l3Routers(@Param('id') id: string, @Req() req: Request) {
    enforceRule(req, 'get_l3-routers');
    const routers = await this.runtime.neutron.routersOfAgent(id);
    if (!routers) neutronFail(404, 'AgentNotFound', `Agent ${id} could not be found`);
    return { routers };
  }

  /** Not Neutron: the HA picture of a router (VRID, agents, pending reason, split-brain) for operators. */
  @Get('v1/routers/:id/ha')
  async routerHa(@Param('id') id: string, @Req() req: Request) {
    enforceRule(req, 'get_router_ha');
    const ha = await this.runtime.neutron.routerHa(id);
    if (!ha) neutronFail(404, 'RouterNotFound', `Router ${id} could not be found`);
    return { router_ha: ha };
  }
}
