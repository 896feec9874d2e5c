import { randomUUID } from 'node:crypto';
import type { HttpHook } from '@cp/runtime';

/**
 * Gives each request its id and echoes it, as Neutron does (X-Openstack-Request-Id). Set on
 * Node's response, so answers a handler writes itself (watch streams, proxied ones) carry it too.
 */
export function requestIds(): HttpHook {
  return (request, reply, done) => {
    request.requestId = `req-${randomUUID()}`;
    reply.raw.setHeader('X-Openstack-Request-Id', request.requestId);
    done();
  };
}
