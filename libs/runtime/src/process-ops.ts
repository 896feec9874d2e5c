import { Module, type DynamicModule, type INestApplication, type LoggerService, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import { OpsModule, Readiness } from './health';
import { createLogger, httpLogMiddleware, lifecycleLogger, nestLogger, type Logger, type LogLevel } from './logger';
import { createRegistry, httpMetrics } from './metrics';
import { NeutronExceptionFilter } from './neutron-exception.filter';
import { onShutdown, type ShutdownStep } from './shutdown';

export interface OpsSettings {
  logLevel: LogLevel;
  shutdownTimeoutMs?: number;
  drainDelayMs?: number;
}

/**
 * Everything operational one process needs, made once in its main: the pino
 * logger, the Prometheus registry, the readiness checks, the Nest modules that
 * serve /healthz, /readyz and /metrics, the request log, and the SIGTERM sequence.
 */
export class ProcessOps {
  readonly logger: Logger;
  /** Start-up and shutdown lines, written whatever the log level. */
  readonly lifecycle: Logger;
  readonly registry: Registry = createRegistry();
  readonly readiness = new Readiness();
  readonly nestLogger: LoggerService;

  constructor(
    readonly service: string,
    private readonly settings: OpsSettings,
  ) {
    this.logger = createLogger(service, settings.logLevel);
    this.lifecycle = lifecycleLogger(this.logger);
    this.nestLogger = nestLogger(this.logger);
  }

  /** A component's logger (relay, projector, scheduler): the same stream, tagged. */
  child(component: string): Logger {
    return this.logger.child({ component });
  }

  /** Add to the app's modules. */
  modules(): DynamicModule[] {
    return [OpsModule.forRoot({ readiness: this.readiness, registry: this.registry, service: this.service })];
  }

  /** Call on the created app before listen: request logs and API latency for every request that follows. */
  attach(app: INestApplication): void {
    app.use(httpLogMiddleware(this.logger));
    app.use(httpMetrics(this.registry));
  }

  /**
   * A projector process's HTTP app (not yet listening): `imports` plus /healthz,
   * /readyz and /metrics, Neutron error bodies, request logs and metrics.
   */
  async createApp(imports: Array<Type | DynamicModule>): Promise<INestApplication<Server>> {
    @Module({})
    class ProcessModule {}
    const root: DynamicModule = { module: ProcessModule, imports: [...imports, ...this.modules()] };
    const app = await NestFactory.create<INestApplication<Server>>(root, { logger: this.nestLogger });
    app.useGlobalFilters(new NeutronExceptionFilter());
    this.attach(app);
    return app;
  }

  /** Registers the SIGTERM/SIGINT sequence; `steps` is read when the signal comes (what is running then). */
  onShutdown(steps: () => ShutdownStep[]): void {
    onShutdown(this.lifecycle, this.readiness, steps, {
      timeoutMs: this.settings.shutdownTimeoutMs ?? 25_000,
      drainDelayMs: this.settings.drainDelayMs ?? 0,
    });
  }
}
