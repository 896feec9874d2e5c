import { Controller, Get, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { API_TAGS, Tagged } from './api-docs';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { withTimeout } from './metrics';

export interface CheckResult {
  ok: boolean;
  /** What an operator reads first: lag, position, the error. */
  detail?: unknown;
}

export interface Check {
  name: string;
  /** Non-critical checks are reported but never make the process unready (e.g. the relay: writes stay durable while Kafka is down). */
  critical: boolean;
  run(): Promise<CheckResult>;
}

/**
 * What /readyz asks. Each check has a time limit, so a hung database makes the
 * process unready instead of hanging the probe.
 */
export class Readiness {
  private readonly checks: Check[] = [];
  private draining = false;

  add(check: Check): this {
    this.checks.push(check);
    return this;
  }

  /** SIGTERM: report unready at once, so load balancers stop sending before the server closes. */
  drain(): void {
    this.draining = true;
  }

  async evaluate(timeoutMs = 3_000): Promise<{ ready: boolean; checks: Record<string, CheckResult & { critical: boolean }> }> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        try {
          return [c, await withTimeout(c.run(), timeoutMs)] as const;
        } catch (err) {
          return [c, { ok: false, detail: err instanceof Error ? err.message : String(err) }] as const;
        }
      }),
    );
    const checks: Record<string, CheckResult & { critical: boolean }> = {};
    for (const [c, r] of results) checks[c.name] = { ...r, critical: c.critical };
    if (this.draining) checks.shutdown = { ok: false, critical: true, detail: 'shutting down' };
    return { ready: Object.values(checks).every((r) => r.ok || !r.critical), checks };
  }
}

const OPS = Symbol('OPS');

export interface OpsEndpoints {
  readiness: Readiness;
  registry: Registry;
  service: string;
}

/** What `/healthz`, `/readyz` and `/metrics` answer, wherever they are served. */
export async function opsAnswer(ops: OpsEndpoints, path: string): Promise<{ status: number; type: string; body: string } | null> {
  switch (path) {
    // Liveness: the process runs and its event loop answers. Never touches a dependency (a restart would not fix one).
    case '/healthz':
      return json(200, { status: 'ok', service: ops.service, uptime_seconds: Math.round(process.uptime()) });
    // Readiness: dependencies reachable and read models caught up within the threshold; 503 otherwise.
    case '/readyz': {
      const { ready, checks } = await ops.readiness.evaluate();
      return json(ready ? 200 : 503, { status: ready ? 'ready' : 'unready', service: ops.service, checks });
    }
    case '/metrics':
      return { status: 200, type: ops.registry.contentType, body: await ops.registry.metrics() };
    default:
      return null;
  }
}

const json = (status: number, value: unknown) => ({ status, type: 'application/json; charset=utf-8', body: JSON.stringify(value) });

@Tagged(API_TAGS.operations)
@Controller()
class OpsController {
  constructor(@Inject(OPS) private readonly ops: OpsEndpoints) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs (no dependency is checked)' })
  health(@Res() reply: FastifyReply): Promise<void> {
    return this.answer('/healthz', reply);
  }

  @Get('readyz')
  @ApiOperation({
    summary:
      'Readiness: 200 when every critical check passes (event store, read models within CP_READY_MAX_LAG), else 503 naming the failing ones',
  })
  ready(@Res() reply: FastifyReply): Promise<void> {
    return this.answer('/readyz', reply);
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiOkResponse({
    content: { 'text/plain': { schema: { type: 'string' }, example: 'controlplane_agents{agent_type="L3 agent",state="alive"} 2' } },
  })
  metrics(@Res() reply: FastifyReply): Promise<void> {
    return this.answer('/metrics', reply);
  }

  private async answer(path: string, reply: FastifyReply): Promise<void> {
    const a = (await opsAnswer(this.ops, path))!;
    await reply.code(a.status).type(a.type).send(a.body);
  }
}

/** `/healthz`, `/readyz` and `/metrics` on a process's own HTTP port. */
@Module({})
export class OpsModule {
  static forRoot(ops: OpsEndpoints): DynamicModule {
    return { module: OpsModule, controllers: [OpsController], providers: [{ provide: OPS, useValue: ops }] };
  }
}

/**
 * The same endpoints on an address of their own (CP_OPS_HOST, CP_OPS_PORT), so
 * that the probes and the scraper can be kept off the address clients reach.
 */
export async function serveOps(ops: OpsEndpoints, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    opsAnswer(ops, req.method === 'GET' ? path : '')
      .then((a) => {
        if (!a) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        res.writeHead(a.status, { 'content-type': a.type }).end(a.body);
      })
      .catch((err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return server;
}
