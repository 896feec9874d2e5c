import { Controller, Get, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
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

@ApiExcludeController()
@Controller()
class OpsController {
  constructor(@Inject(OPS) private readonly ops: { readiness: Readiness; registry: Registry; service: string }) {}

  /** Liveness: the process runs and its event loop answers. Never touches a dependency (a restart would not fix one). */
  @Get('healthz')
  healthz() {
    return { status: 'ok', service: this.ops.service, uptime_seconds: Math.round(process.uptime()) };
  }

  /** Readiness: dependencies reachable and read models caught up within the threshold; 503 otherwise. */
  @Get('readyz')
  async readyz(@Res() res: Response): Promise<void> {
    const { ready, checks } = await this.ops.readiness.evaluate();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unready', service: this.ops.service, checks });
  }

  @Get('metrics')
  async metrics(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.ops.registry.contentType);
    res.send(await this.ops.registry.metrics());
  }
}

/** `/healthz`, `/readyz` and `/metrics` for any of the three processes. */
@Module({})
export class OpsModule {
  static forRoot(ops: { readiness: Readiness; registry: Registry; service: string }): DynamicModule {
    return { module: OpsModule, controllers: [OpsController], providers: [{ provide: OPS, useValue: ops }] };
  }
}
