import {
  Controller,
  Delete,
  Get,
  Module,
  Post,
  Put,
  Req,
  Res,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type Type,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { HttpReply, HttpRequest } from '@cp/runtime';
import { forward, type Forwarding } from './forward';

export interface AgentProxyOptions {
  /** An l2pop-projector instance or its load balancer: `/v1/hosts/{host}/l2[/watch]`. */
  l2Url?: string;
  /** An l3-scheduler instance or its load balancer: `/v1/hosts/{host}/l3[/watch]`, HA state reports, Neutron's L3 agent views. */
  l3Url?: string;
  /** A dhcp-projector instance or its load balancer: `/v1/hosts/{host}/dhcp[/watch]`. */
  dhcpUrl?: string;
  timeoutMs?: number;
}

/** A read-only host feed (`/v1/hosts/{host}/<model>[/watch]`) served by a projector process. */
function feedController(model: 'l2' | 'dhcp', base: URL, f: Forwarding): Type {
  @ApiExcludeController()
  @Controller()
  class FeedProxyController {
    // The L2 documents' provenance is answered where they are (501 from an instance that reads no event log).
    @Get([`v1/hosts/:host/${model}`, `v1/hosts/:host/${model}/watch`, ...(model === 'l2' ? ['v1/hosts/:host/l2/explain'] : [])])
    feed(@Req() req: HttpRequest, @Res() res: HttpReply): void {
      forward(base, req, res, f);
    }
  }
  return FeedProxyController;
}

function l3Controller(base: URL, f: Forwarding): Type {
  @ApiExcludeController()
  @Controller()
  class L3ProxyController {
    @Get([
      'v1/hosts/:host/l3',
      'v1/hosts/:host/l3/watch',
      'v1/hosts/:host/l3/explain',
      'v2.0/routers/:id/l3-agents',
      'v2.0/agents/:id/l3-routers',
      'v1/routers/:id/ha',
    ])
    read(@Req() req: HttpRequest, @Res() res: HttpReply): void {
      forward(base, req, res, f);
    }

    @Put(['v1/hosts/:host/routers/:routerId/ha_state', 'v1/hosts/:host/ha_states'])
    report(@Req() req: HttpRequest, @Res() res: HttpReply): void {
      forward(base, req, res, f);
    }

    /** An admin moving a router between agents: the L3 process decides it with the scheduler's command. */
    @Post('v2.0/agents/:id/l3-routers')
    add(@Req() req: HttpRequest, @Res() res: HttpReply): void {
      forward(base, req, res, f);
    }

    @Delete('v2.0/agents/:id/l3-routers/:routerId')
    remove(@Req() req: HttpRequest, @Res() res: HttpReply): void {
      forward(base, req, res, f);
    }
  }
  return L3ProxyController;
}

/**
 * Distributed mode: the agent-facing read endpoints live in the projector
 * processes (any instance answers; they share the read model). This module lets
 * the API answer them too, by forwarding, so agents and the openstack CLI need
 * one endpoint. A load balancer routing these paths straight to the projector
 * processes saves the hop (README, "Operating distributed mode").
 */
@Module({})
export class AgentProxyModule {
  static forRoot(options: AgentProxyOptions): DynamicModule {
    const f: Forwarding = { timeoutMs: options.timeoutMs ?? 30_000, open: new Set() };
    const controllers: Type[] = [];
    if (options.l2Url) controllers.push(feedController('l2', new URL(options.l2Url), f));
    if (options.dhcpUrl) controllers.push(feedController('dhcp', new URL(options.dhcpUrl), f));
    if (options.l3Url) controllers.push(l3Controller(new URL(options.l3Url), f));
    // Watch streams never end by themselves: end them before the HTTP server closes, or its close would wait forever.
    class EndStreams implements BeforeApplicationShutdown {
      beforeApplicationShutdown(): void {
        for (const res of f.open) res.end();
      }
    }
    return { module: AgentProxyModule, controllers, providers: [EndStreams] };
  }
}
