import { API_TAGS, Tagged } from '@cp/runtime';
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../platform/ctx.decorator';
import type { RequestContext } from '../platform/request-context';
import { PortsService } from './ports.service';

/**
 * The L2 agent's port status reports. Both answer 200 with `{port: {...}}` (the
 * port after the report) so an agent can confirm what it caused. Up from a host
 * the port is not bound to is 409 PortNotBoundToHost; down from such a host is a
 * no-op (a stale report from the old host after a move), as the port decider says.
 */
@Tagged(API_TAGS.agentReports)
@Controller('v1/hosts/:host/ports/:portId')
export class PortReportsController {
  constructor(private readonly ports: PortsService) {}

  @Post('up')
  @HttpCode(200)
  @ApiOperation({ summary: "The host's L2 agent saw the port come up: status ACTIVE" })
  async up(@Ctx() ctx: RequestContext, @Param('host') host: string, @Param('portId') portId: string) {
    return { port: await this.ports.report(ctx, host, portId, true) };
  }

  @Post('down')
  @HttpCode(200)
  @ApiOperation({ summary: "The host's L2 agent saw the port go down: status DOWN" })
  async down(@Ctx() ctx: RequestContext, @Param('host') host: string, @Param('portId') portId: string) {
    return { port: await this.ports.report(ctx, host, portId, false) };
  }
}
