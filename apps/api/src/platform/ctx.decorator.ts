import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { RequestContext } from './request-context';

/** The caller of this request, as the request-context middleware resolved it. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  const req = host.switchToHttp().getRequest<Request & { cp?: RequestContext }>();
  if (!req.cp) throw new Error('request context middleware did not run');
  return { ...req.cp, now: new Date().toISOString() };
});
