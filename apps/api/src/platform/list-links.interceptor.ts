import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { pathOf, type HttpRequest } from '@cp/runtime';
import { map, type Observable } from 'rxjs';

type Link = { rel: string; href: string };

/**
 * Neutron's `<collection>_links` hrefs are absolute (`http://host:9696/v2.0/networks?limit=2&marker=…`):
 * clients (openstacksdk, Nova, Horizon, Terraform) request them as given. The list code knows the
 * query; this knows where the request came to, and joins them.
 */
@Injectable()
export class AbsoluteListLinks implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<HttpRequest>();
    return next.handle().pipe(
      map((body: unknown) => {
        if (!body || typeof body !== 'object') return body;
        for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
          if (!key.endsWith('_links') || !Array.isArray(value)) continue;
          const base = `${req.protocol}://${req.headers.host ?? 'localhost'}${pathOf(req)}`;
          for (const link of value as Link[]) if (link.href.startsWith('?')) link.href = base + link.href;
        }
        return body;
      }),
    );
  }
}
