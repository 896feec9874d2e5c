import type { preHandlerHookHandler } from 'fastify';
import { pathOf, type HttpRequest } from '@cp/runtime';
import { HistoryQueryError, logPosition } from '@cp/host-feed';
import { fail, resourceAt, type WriteSide } from '@cp/write-model';
import { contextFromRequest } from '../platform/request-context';

/** The collections a resource can be read from as it was: path segment → (kind, body key, Neutron's not-found type). */
const COLLECTIONS: Record<string, { kind: string; key: string; notFound: string }> = {
  networks: { kind: 'network', key: 'network', notFound: 'NetworkNotFound' },
  subnets: { kind: 'subnet', key: 'subnet', notFound: 'SubnetNotFound' },
  ports: { kind: 'port', key: 'port', notFound: 'PortNotFound' },
  routers: { kind: 'router', key: 'router', notFound: 'RouterNotFound' },
  'security-groups': { kind: 'security_group', key: 'security_group', notFound: 'SecurityGroupNotFound' },
  'security-group-rules': { kind: 'security_group_rule', key: 'security_group_rule', notFound: 'SecurityGroupRuleNotFound' },
  floatingips: { kind: 'floatingip', key: 'floatingip', notFound: 'FloatingIPNotFound' },
  agents: { kind: 'agent', key: 'agent', notFound: 'AgentNotFound' },
};

/**
 * `GET /v2.0/<collection>/{id}?at=<position|RFC 3339 time>`: the resource as it
 * was then, folded from its events (resourceAt), with the position it is as
 * of. An admin reads any; anyone else only their own project's (another
 * project's is a 404, as Neutron hides what a caller may not see). The
 * show route must exist: this answers in its place, before its handler runs
 * (a Fastify hook, so requests without `at` pay one method and query check).
 */
export function resourceTimeTravel(ws: WriteSide): preHandlerHookHandler {
  return (req, reply, done) => {
    const at = req.method === 'GET' && !req.is404 ? (req.query as Record<string, unknown> | undefined)?.at : undefined;
    if (typeof at !== 'string') return done();
    const m = /^\/v2\.0\/([a-z-]+)\/([^/]+)$/.exec(pathOf(req));
    const collection = m ? COLLECTIONS[m[1]] : undefined;
    if (!m || !collection) return done();
    answer(ws, req, collection, decodeURIComponent(m[2]), at).then(
      (body) => void reply.send(body),
      (err: Error) => done(err),
    );
  };
}

async function answer(ws: WriteSide, req: HttpRequest, c: (typeof COLLECTIONS)[string], id: string, at: string): Promise<unknown> {
  const ctx = contextFromRequest(req);
  let position: number;
  try {
    position = await logPosition(ws.store, at);
  } catch (err) {
    if (err instanceof HistoryQueryError) fail(400, 'HTTPBadRequest', err.message);
    throw err;
  }
  const body = await resourceAt(ws.store, c.kind, id, position);
  if (!body || (!ctx.isAdmin && body.project_id !== ctx.projectId)) {
    fail(404, c.notFound, `${c.kind} ${id} did not exist at position ${position}, or is not yours to see.`);
  }
  return { [c.key]: body, position };
}
