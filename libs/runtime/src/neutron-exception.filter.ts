import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { neutronError } from './neutron-error';
import { isRejection, type Rejection } from '@cp/domain';

/**
 * The one place where failures become Neutron error bodies. Domain rejections
 * carry their own status and type; body-parser failures and unknown routes are
 * mapped to what Neutron answers for them.
 */
const HTTP_TYPES: Record<number, string> = {
  400: 'HTTPBadRequest',
  401: 'HTTPUnauthorized',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  405: 'HTTPMethodNotAllowed',
  409: 'HTTPConflict',
  413: 'RequestEntityTooLarge',
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
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const [status, body] = this.map(err);
    if (status >= 500) this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    res.status(status).json(body);
  }

  private map(err: unknown): [number, unknown] {
    const rejection = rejectionOf(err);
    if (rejection) return [rejection.status, neutronError(rejection.type, rejection.message)];
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      return [400, neutronError('HTTPBadRequest', `Malformed request body: ${e.message ?? 'invalid JSON'}`)];
    }
    if (e?.type === 'entity.too.large') {
      return [413, neutronError('RequestEntityTooLarge', 'Request is too large: the body exceeds 1 MiB.')];
    }
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
      return [415, neutronError('HTTPUnsupportedMediaType', e.message ?? 'Unsupported encoding')];
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const response = err.getResponse();
      if (typeof response === 'object' && response !== null && 'NeutronError' in response) return [status, response];
      // Nest turns body-parser's JSON SyntaxError (and bad %-escapes) into a bare 400;
      // our own code never throws those, it throws RejectionError.
      if (status === 400) return [400, neutronError('HTTPBadRequest', `Malformed request: ${err.message}`)];
      const message = status === 404 ? 'The resource could not be found.' : err.message;
      return [status, neutronError(HTTP_TYPES[status] ?? 'HTTPError', message)];
    }
    if (err instanceof SyntaxError && (e.status === 400 || e.statusCode === 400)) {
      return [400, neutronError('HTTPBadRequest', `Malformed request body: ${err.message}`)];
    }
    return [500, neutronError('InternalServerError', 'Request Failed: internal server error while processing your request.')];
  }
}
