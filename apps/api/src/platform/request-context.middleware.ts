import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { contextFromRequest, type RequestContext } from './request-context';

/** Resolves the caller once per request and echoes the request id, as Neutron does. */
export function requestContextMiddleware(defaultProjectId: string) {
  return (req: Request & { cp?: RequestContext; requestId?: string }, res: Response, next: NextFunction) => {
    req.requestId = `req-${randomUUID()}`;
    req.cp = contextFromRequest(req, defaultProjectId);
    res.setHeader('X-Openstack-Request-Id', req.requestId);
    next();
  };
}
