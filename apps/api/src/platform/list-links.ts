import type { preSerializationHookHandler } from 'fastify';
import { pathOf } from '@cp/runtime';

type Link = { rel: string; href: string };

/**
 * Neutron's `<collection>_links` hrefs are absolute (`http://host:9696/v2.0/networks?limit=2&marker=…`):
 * clients (openstacksdk, Nova, Horizon, Terraform) request them as given. The list code knows the
 * query; this knows where the request came to, and joins them. A hook on the body before it is
 * serialised rather than a Nest interceptor: the profile showed the interceptor chain (an rxjs
 * pipeline and an async resource per request) costing more than the answers it touches.
 */
export function absoluteListLinks(): preSerializationHookHandler<unknown> {
  return (request, _reply, body, done) => {
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      for (const key of Object.keys(body)) {
        const value = (body as Record<string, unknown>)[key];
        if (!key.endsWith('_links') || !Array.isArray(value)) continue;
        const base = `${request.protocol}://${request.headers.host ?? 'localhost'}${pathOf(request)}`;
        for (const link of value as Link[]) if (link.href.startsWith('?')) link.href = base + link.href;
      }
    }
    done(null, body);
  };
}
