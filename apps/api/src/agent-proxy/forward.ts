import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Request, Response } from 'express';

/** Hop-by-hop headers (RFC 9110 7.6.1) are never forwarded; the rest is the caller's (project, roles, Last-Event-ID). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

/**
 * Forwards one request to `base` and streams the answer back as it comes, so a
 * watch stream (server-sent events) passes through unbuffered and ends when
 * either side goes away. The body was parsed by the API's JSON parser, so it is
 * sent again as JSON. The API's request id goes along: an HA state report
 * appended by the L3 process is found under the same request id in the audit log.
 */
export interface Forwarding {
  timeoutMs: number;
  /** Responses still streaming, ended on shutdown. */
  open: Set<Response>;
}

export function forward(base: URL, req: Request & { requestId?: string }, res: Response, { timeoutMs, open }: Forwarding): void {
  const target = new URL(req.originalUrl, base);
  const body = req.method === 'GET' || req.method === 'HEAD' || req.body === undefined ? undefined : JSON.stringify(req.body);
  const headers = forwardable(req.headers);
  if (req.requestId) headers['x-openstack-request-id'] = req.requestId;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(target, { method: req.method, headers }, (answer) => {
    const out = forwardable(answer.headers);
    if (req.requestId) out['x-openstack-request-id'] = req.requestId;
    res.writeHead(answer.statusCode ?? 502, out);
    // Streams have no deadline once they answered: the agent's watch lasts as long as it wants.
    upstream.setTimeout(0);
    answer.pipe(res);
  });
  upstream.setTimeout(timeoutMs, () => upstream.destroy(new Error(`no answer within ${timeoutMs} ms`)));
  upstream.on('error', (err) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .status(503)
      .json({ NeutronError: { type: 'ServiceUnavailable', message: `${base.origin} is unavailable: ${err.message}`, detail: '' } });
  });
  // The agent went away (or the API is closing its watch): stop the upstream stream too.
  open.add(res);
  res.on('close', () => {
    open.delete(res);
    upstream.destroy();
  });
  upstream.end(body);
}
