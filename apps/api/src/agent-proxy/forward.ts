import { request as httpRequest, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { takeOver, type HttpReply, type HttpRequest } from '@cp/runtime';

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
  open: Set<ServerResponse>;
}

export function forward(base: URL, request: HttpRequest, reply: HttpReply, { timeoutMs, open }: Forwarding): void {
  // The path as routed (without Neutron's `.json` suffix, which only the API reads).
  const target = new URL(request.url, base);
  const body =
    request.method === 'GET' || request.method === 'HEAD' || request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers = forwardable(request.headers);
  const { requestId } = request;
  if (requestId) headers['x-openstack-request-id'] = requestId;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const { res } = takeOver(request, reply);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(target, { method: request.method, headers }, (answer) => {
    const out = forwardable(answer.headers);
    if (requestId) out['x-openstack-request-id'] = requestId;
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
    const refusal = { NeutronError: { type: 'ServiceUnavailable', message: `${base.origin} is unavailable: ${err.message}`, detail: '' } };
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(refusal));
  });
  // The agent went away (or the API is closing its watch): stop the upstream stream too.
  open.add(res);
  res.on('close', () => {
    open.delete(res);
    upstream.destroy();
  });
  upstream.end(body);
}
