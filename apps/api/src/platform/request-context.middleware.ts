import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** Gives each request its id and echoes it, as Neutron does (X-Openstack-Request-Id). */
export function requestIdMiddleware() {
  return (req: Request & { requestId?: string }, res: Response, next: NextFunction) => {
    req.requestId = `req-${randomUUID()}`;
    res.setHeader('X-Openstack-Request-Id', req.requestId);
    next();
  };
}
