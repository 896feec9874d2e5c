import { Module, type DynamicModule, type LoggerService, type Type } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, type Registry } from 'prom-client';
import { Authentication, type AuthConfig } from '@cp/auth';
import { OpsModule, Readiness, serveOps } from './health';
import { createLogger, httpLogHook, lifecycleLogger, nestLogger, type Logger, type LogLevel } from './logger';
import { createRegistry, httpMetrics } from './metrics';
import { createHttpApp, type HttpApp } from './http-server';
import { onShutdown, type ShutdownStep } from './shutdown';

export interface OpsSettings {
  logLevel: LogLevel;
  shutdownTimeoutMs?: number;
  drainDelayMs?: number;
  /** Serve /healthz, /readyz and /metrics here instead of on the process's port. */
  opsListen?: { host: string; port: number };
  /** Who may call this process's API; noauth on loopback when not given (tests, the embedded demo). */
  auth?: AuthConfig;
}

export const NOAUTH: AuthConfig = { strategy: 'noauth', defaultProjectId: 'admin', noauthAnyAddress: false };

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
  readonly auth: Authentication;
  /** The endpoints' own server, when they have an address of their own. */
  private opsServer: Promise<Server> | null = null;

  constructor(
    readonly service: string,
    private readonly settings: OpsSettings,
  ) {
    this.logger = createLogger(service, settings.logLevel);
    this.lifecycle = lifecycleLogger(this.logger);
    this.nestLogger = nestLogger(this.logger);
    this.auth = new Authentication(settings.auth ?? NOAUTH);
    const keystone = this.auth.keystone;
    if (keystone) {
      // How often Keystone was asked: with the cache, about one call per token per TTL, not per request.
      new Gauge({
        name: 'cp_keystone_token_validations',
        help: 'Token validations sent to Keystone since start (cache misses)',
        registers: [this.registry],
        collect() {
          this.set(keystone.validations);
        },
      });
    }
  }

  /** Before listening on `host`: refuses noauth off loopback, and says at start-up how callers are authenticated. */
  checkAuthFor(host: string): void {
    this.lifecycle.info({ auth: this.auth.config.strategy }, this.auth.describeFor(host));
  }

  /** A component's logger (relay, projector, scheduler): the same stream, tagged. */
  child(component: string): Logger {
    return this.logger.child({ component });
  }

  /** Add to the app's modules: the operations endpoints, unless they have an address of their own. */
  modules(): DynamicModule[] {
    return this.settings.opsListen
      ? []
      : [OpsModule.forRoot({ readiness: this.readiness, registry: this.registry, service: this.service })];
  }

  /**
   * Call on the created app before listen: request logs and API latency for every
   * request that follows; the operations endpoints' own server, if configured.
   */
  attach(app: HttpApp): void {
    const fastify = app.getHttpAdapter().getInstance();
    fastify.addHook('onRequest', httpLogHook(this.logger));
    fastify.addHook('onResponse', httpMetrics(this.registry));
    const at = this.settings.opsListen;
    if (at && !this.opsServer) {
      this.opsServer = serveOps(this, at.host, at.port);
      this.opsServer.then(
        (s) => this.lifecycle.info({ ops: s.address() }, `operations endpoints on http://${at.host}:${(s.address() as AddressInfo).port}`),
        (err: Error) => {
          // A probe address that cannot be served is a broken deployment: say so and stop, as a bad setting does.
          this.lifecycle.error({ err }, `cannot serve the operations endpoints on ${at.host}:${at.port}`);
          process.exit(1);
        },
      );
    }
  }

  /**
   * A projector process's HTTP app (not yet listening): `imports` plus /healthz,
   * /readyz and /metrics, Neutron error bodies, request logs and metrics.
   */
  async createApp(imports: Array<Type | DynamicModule>): Promise<HttpApp> {
    @Module({})
    class ProcessModule {}
    const root: DynamicModule = { module: ProcessModule, imports: [...imports, ...this.modules()] };
    const app = await createHttpApp(root, { logger: this.nestLogger, auth: this.auth });
    this.attach(app);
    return app;
  }

  /** Registers the SIGTERM/SIGINT sequence; `steps` is read when the signal comes (what is running then). */
  onShutdown(steps: () => ShutdownStep[]): void {
    const closeOps = { name: 'operations endpoints', run: async () => (await this.opsServer)?.close() };
    onShutdown(this.lifecycle, this.readiness, () => [...steps(), closeOps], {
      timeoutMs: this.settings.shutdownTimeoutMs ?? 25_000,
      drainDelayMs: this.settings.drainDelayMs ?? 0,
    });
  }
}
