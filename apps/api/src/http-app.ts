import { resourceTimeTravel } from './audit/resource-time-travel';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DynamicModule, LoggerService, Type } from '@nestjs/common';
import { AppModule } from './app.module';
import type { Settings } from './config';
import { createHttpApp as createProcessHttpApp } from '@cp/runtime';
import { requestIds } from './platform/request-id';
import { absoluteListLinks } from './platform/list-links';
import { withoutFormatSuffix } from './platform/format-suffix';
import { Authentication } from '@cp/auth';
import type { WriteSide } from '@cp/write-model';

/**
 * Builds the HTTP application (not yet listening), shared by main and tests.
 * `logger`: where Nest's own messages go (main passes the process's pino logger).
 * `auth`: who may call (main passes the process's; tests get noauth).
 */
export async function createHttpApp(
  ws: WriteSide,
  settings: Settings,
  extra: Array<Type | DynamicModule> = [],
  logger?: LoggerService,
  auth: Authentication = new Authentication({ strategy: 'noauth', defaultProjectId: settings.defaultProjectId, noauthAnyAddress: false }),
) {
  // Bad input is refused before any controller with Neutron's body (paths, JSON only, size, depth, control characters);
  // every request gets its id, then its caller. Neutron sends no ETag (and so never a 304), nor does Fastify.
  const app = await createProcessHttpApp(AppModule.forRoot(ws, settings, extra), {
    logger: settings.logLevel === 'silent' ? false : (logger ?? ['error', 'warn']),
    auth,
    rewriteUrl: withoutFormatSuffix,
    before: [requestIds()],
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('preHandler', resourceTimeTravel(ws));
  fastify.addHook('preSerialization', absoluteListLinks());
  // No enableShutdownHooks(): main owns SIGTERM and closes the app, then consumers, relay
  // and databases in order; Nest's hook would re-raise the signal and kill the process midway.
  const doc = new DocumentBuilder()
    .setTitle('Event-sourced Neutron control plane')
    .setDescription('Neutron v2.0 REST API, agent-facing API and audit log')
    .setVersion('0.1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  return app;
}
