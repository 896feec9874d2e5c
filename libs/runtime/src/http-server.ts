import type { DynamicModule, LoggerService, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authentication, RequestAuth } from '@cp/auth';
import { DEFAULT_INPUT_LIMITS, inputChecks, neutronClientErrors, type InputLimits } from './http-input';
import { neutronError } from './neutron-error';
import { NeutronExceptionFilter } from './neutron-exception.filter';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller and the policy, as authentication established them before any route ran. */
    auth?: RequestAuth;
    /** Neutron's request id (X-Openstack-Request-Id), where the process gives one. */
    requestId?: string;
  }
}

/** Every process serves HTTP with Nest on Fastify. */
export type HttpApp = NestFastifyApplication;
export type HttpRequest = FastifyRequest;
export type HttpReply = FastifyReply;
export type HttpHook = onRequestHookHandler;

export interface HttpAdapterOptions {
  /** The request target as routed (Neutron's `.json` suffix is dropped there). */
  rewriteUrl?: (url: string) => string;
}

/**
 * Fastify, routing as the Neutron clients expect: a trailing slash names the same
 * resource, and a path parameter (a host name, an id) may be as long as a request
 * line allows (Fastify's default of 100 characters would turn a long one into a 404).
 * A request target Node parses but the router cannot decode gets Neutron's 400.
 */
export function httpAdapter(options: HttpAdapterOptions = {}): FastifyAdapter {
  const { rewriteUrl } = options;
  return new FastifyAdapter({
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    ...(rewriteUrl ? { rewriteUrl: (req: IncomingMessage) => rewriteUrl(req.url ?? '/') } : {}),
    frameworkErrors: (_err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      void reply.code(400).send(neutronError('HTTPBadRequest', 'Malformed request URL: a malformed percent-encoding.'));
    },
  });
}

export interface HttpAppOptions extends HttpAdapterOptions {
  logger: LoggerService | LogLevel[] | false;
  auth: Authentication;
  limits?: InputLimits;
  /** Hooks run on every request before authentication (the API's request ids). */
  before?: HttpHook[];
}

/**
 * A process's HTTP app (not yet listening), with the edge every process runs
 * before a controller sees a request: the input checks (path, JSON body, size,
 * structure), Neutron bodies for what Node refuses itself, the caller
 * (`request.auth`), and Neutron error bodies for whatever a route throws.
 * Hooks rather than Express-style middleware: they run in Fastify's own request
 * lifecycle, without a middleware router in front of it.
 */
export async function createHttpApp(module: Type | DynamicModule, options: HttpAppOptions): Promise<HttpApp> {
  const app = await NestFactory.create<HttpApp>(module, httpAdapter(options), { logger: options.logger, bodyParser: false });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorateRequest('auth', undefined);
  fastify.decorateRequest('requestId', undefined);
  inputChecks(fastify, options.limits ?? DEFAULT_INPUT_LIMITS);
  for (const hook of options.before ?? []) fastify.addHook('onRequest', hook);
  fastify.addHook('onRequest', authenticate(options.auth));
  neutronClientErrors(app.getHttpServer());
  app.useGlobalFilters(new NeutronExceptionFilter());
  return app;
}

/** Establishes `request.auth`, or answers the refusal (401, 403, 503) with Neutron's body. */
function authenticate(auth: Authentication): HttpHook {
  return (request, reply, done) => {
    auth.admit(request).then(
      (refusal) => {
        if (!refusal) return done();
        if (refusal.headers) void reply.headers(refusal.headers);
        void reply.code(refusal.status).send(neutronError(refusal.type, refusal.message));
      },
      (err: Error) => done(err),
    );
  };
}

/**
 * For a handler that writes its response itself, as it comes (a watch stream, a
 * proxied answer): Node's request and response, taken out of Fastify's hands.
 */
export function takeOver(request: HttpRequest, reply: HttpReply): { req: IncomingMessage; res: ServerResponse } {
  reply.hijack();
  return { req: request.raw, res: reply.raw };
}

/** The request's path as routed (after any rewrite), without the query. */
export function pathOf(request: HttpRequest): string {
  const q = request.url.indexOf('?');
  return q < 0 ? request.url : request.url.slice(0, q);
}
