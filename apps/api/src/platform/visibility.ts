import { type Body, fail } from '@cp/write-model';
import type { RequestContext } from './request-context';

/** A non-admin sees its own project's resources, plus shared and external networks. */
export function canSee(ctx: { isAdmin: boolean; projectId: string }, body: Body | null): body is Body {
  if (!body) return false;
  if (ctx.isAdmin || body.project_id === ctx.projectId) return true;
  return body.shared === true || body['router:external'] === true;
}

/** Neutron hides what a caller may not see behind a 404, naming only the id asked for. */
export function visibleOr404(ctx: RequestContext, body: Body | null, type: string, message: string): Body {
  if (!canSee(ctx, body)) fail(404, type, message);
  return body;
}

/** Changing a resource needs ownership (or admin); seeing a shared one is not enough. */
export function assertCanChange(ctx: RequestContext, body: Body, action: string): void {
  if (!ctx.isAdmin && body.project_id !== ctx.projectId) {
    fail(403, 'PolicyNotAuthorized', `(rule:${action}) is disallowed by policy: resource belongs to another project.`);
  }
}

/**
 * The project a new resource belongs to: the caller's, unless an admin names
 * another. A non-admin naming another project is refused, not silently ignored.
 */
export function owningProject(ctx: RequestContext, body: { project_id?: string; tenant_id?: string }, action: string): string {
  const requested = body.project_id ?? body.tenant_id;
  if (body.project_id && body.tenant_id && body.project_id !== body.tenant_id) {
    fail(400, 'HTTPBadRequest', 'project_id and tenant_id do not match.');
  }
  if (requested && requested !== ctx.projectId && !ctx.isAdmin) {
    fail(403, 'PolicyNotAuthorized', `(rule:${action}) is disallowed by policy: cannot act for project ${requested}.`);
  }
  return requested ?? ctx.projectId;
}
