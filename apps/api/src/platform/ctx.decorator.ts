import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { HttpRequest } from '@cp/runtime';
import { contextFromRequest, type RequestContext } from './request-context';

/** The caller of this request, as authentication established it. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  return contextFromRequest(host.switchToHttp().getRequest<HttpRequest>());
});
