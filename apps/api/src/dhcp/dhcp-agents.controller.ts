import { API_TAGS, Tagged, type HttpReply } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { fail } from '@cp/write-model';
import { Ctx } from '../platform/ctx.decorator';
import { enforce, type RequestContext } from '../platform/request-context';
import { DhcpAgentsService } from './dhcp-agents.service';

/** `{"network_id": "<uuid>"}`, or Neutron's 400. */
function networkIdOf(body: unknown): string {
  const id = (body as { network_id?: unknown } | null)?.network_id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 64)
    fail(400, 'BadRequest', 'Bad dhcp-network request: network_id is required.');
  return id;
}

/** Neutron's dhcp_agent_scheduler extension (admin only, as Neutron's policy). */
@Tagged(API_TAGS.agents)
@Controller('v2.0')
export class DhcpAgentsController {
  constructor(private readonly dhcp: DhcpAgentsService) {}

  @Get('networks/:id/dhcp-agents')
  @ApiOperation({ summary: 'DHCP agents serving the network' })
  async agentsOfNetwork(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    enforce(ctx, 'get_dhcp-agents');
    return { agents: await this.dhcp.agentsOfNetwork(ctx, id) };
  }

  @Get('agents/:id/dhcp-networks')
  @ApiOperation({ summary: 'Networks a DHCP agent serves' })
  async networksOfAgent(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    enforce(ctx, 'get_dhcp-networks');
    return { networks: await this.dhcp.networksOfAgent(ctx, id) };
  }

  /** 201 with body `null`, as Neutron answers. */
  @Post('agents/:id/dhcp-networks')
  @ApiOperation({ summary: 'Have this DHCP agent serve the network too' })
  async add(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown, @Res() res: HttpReply) {
    enforce(ctx, 'create_dhcp-network');
    await this.dhcp.add(ctx, id, networkIdOf(body));
    void res.code(201).type('application/json').send('null');
  }

  @Delete('agents/:id/dhcp-networks/:networkId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Take the network off this DHCP agent (its DHCP port goes)' })
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string, @Param('networkId') networkId: string): Promise<void> {
    enforce(ctx, 'delete_dhcp-network');
    await this.dhcp.remove(ctx, id, networkId);
  }
}
