import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { contextFromRequest, type RequestContext } from './request-context';

/** The caller of this request, as the authentication middleware established it. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  return contextFromRequest(host.switchToHttp().getRequest<Request>());
});
