import type { NextFunction, Request, Response } from 'express';

/**
 * Neutron answers `/v2.0/networks.json` and `/v2.0/quotas/{id}/details.json` as it answers the path
 * without the suffix (its format extension; openstacksdk asks for quota details that way). JSON is
 * the only format, so the suffix is dropped before routing.
 */
export function formatSuffix() {
  return (req: Request, _res: Response, next: NextFunction) => {
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (path.startsWith('/v2.0/') && path.endsWith('.json')) req.url = path.slice(0, -'.json'.length) + (q < 0 ? '' : req.url.slice(q));
    next();
  };
}
