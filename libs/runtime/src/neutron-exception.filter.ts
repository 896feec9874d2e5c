import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { neutronError } from './neutron-error';
import { isRejection, type Rejection } from '@cp/domain';

/**
 * The one place where failures become Neutron error bodies. Domain rejections
 * carry their own status and type; refused input (the input checks' refusals carry
 * Neutron's body already), Fastify's own client errors and unknown routes are mapped
 * to what Neutron answers for them.
 */
const HTTP_TYPES: Record<number, string> = {
  400: 'HTTPBadRequest',
  401: 'HTTPUnauthorized',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  405: 'HTTPMethodNotAllowed',
  409: 'HTTPConflict',
  413: 'RequestEntityTooLarge',
  415: 'HTTPUnsupportedMediaType',
};

/** A domain rejection thrown by the command path (write-model's RejectionError carries one). */
function rejectionOf(err: unknown): Rejection | null {
  const r = (err as { rejection?: unknown } | null)?.rejection;
  return isRejection(r) ? r : null;
}

@Catch()
export class NeutronExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.raw.headersSent || reply.raw.writableEnded) return;
    const [status, body] = this.map(err);
    if (status >= 500) this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    // A handler that took the response over (a watch stream, a proxied answer) and failed before writing it.
    if (reply.sent)
      return void reply.raw.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    void reply.code(status).send(body);
  }

  private map(err: unknown): [number, unknown] {
    const rejection = rejectionOf(err);
    if (rejection) return [rejection.status, neutronError(rejection.type, rejection.message)];
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const response = err.getResponse();
      if (typeof response === 'object' && response !== null && 'NeutronError' in response) return [status, response];
      // Nest turns a SyntaxError or URIError escaping a route into a bare 400;
      // our own code never throws those, it throws RejectionError.
      if (status === 400) return [400, neutronError('HTTPBadRequest', `Malformed request: ${err.message}`)];
      const message = status === 404 ? 'The resource could not be found.' : err.message;
      return [status, neutronError(HTTP_TYPES[status] ?? 'HTTPError', message)];
    }
    // Fastify's own refusals (FST_ERR_*) carry their client status.
    const { statusCode, code, message } = err as { statusCode?: number; code?: string; message?: string };
    if (typeof code === 'string' && code.startsWith('FST_') && statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
      return [statusCode, neutronError(HTTP_TYPES[statusCode] ?? 'HTTPError', message ?? 'Bad request')];
    }
    return [500, neutronError('InternalServerError', 'Request Failed: internal server error while processing your request.')];
  }
}
