import { type Body, fail } from '@cp/write-model';
import type { Target } from '@cp/auth';
import { enforce, may, type RequestContext } from './request-context';

/**
 * What the policy judges: a resource's own attributes, plus its network's under `network:`
 * (Neutron's `%(network:project_id)s`, and "shared" for a subnet or port of a shared network).
 */
export function targetOf(body: Body, network?: Body | null): Target {
  if (!network) return body;
  const target: Record<string, unknown> = { ...body };
  for (const [k, v] of Object.entries(network)) target[`network:${k}`] = v;
  target['network:tenant_id'] = network.project_id;
  return target;
}

/** `get_<kind>` by the policy: whether the caller may see this resource at all. */
export function canSee(ctx: RequestContext, kind: string, body: Body | null, network?: Body | null): body is Body {
  return body !== null && may(ctx, `get_${kind}`, targetOf(body, network));
}

/** Neutron hides what a caller may not see behind a 404, naming only the id asked for. */
export function visibleOr404(
  ctx: RequestContext,
  kind: string,
  body: Body | null,
  type: string,
  message: string,
  network?: Body | null,
): Body {
  if (!canSee(ctx, kind, body, network)) fail(404, type, message);
  return body;
}

/**
 * Changing a resource the caller can see takes the action's rule (its owner, or an admin): 403 otherwise.
 * A request made with `If-Match: revision_number=N` then applies only if the resource is still at N.
 */
export function assertCanChange(ctx: RequestContext, action: string, body: Body, changes: Body = {}, network?: Body | null): void {
  const target = targetOf(body, network);
  enforce(ctx, action, target);
  ctx.policy.enforceAttributes(ctx.caller, action, changes, target);
  assertRevision(ctx, body);
}

/** 412 when the request is constrained to a revision the resource has moved past (or not reached). */
export function assertRevision(ctx: RequestContext, body: Body): void {
  if (ctx.revisionConstraint === null || ctx.revisionConstraint === body.revision_number) return;
  fail(
    412,
    'RevisionNumberConstraintFailed',
    `Constrained to ${ctx.revisionConstraint}, but current revision is ${String(body.revision_number)}`,
  );
}

/**
 * The project a new resource belongs to: the caller's, unless it names another, which the
 * create rule then judges (only an admin acts for another project). With the attribute rules
 * (`create_network:shared` and the like) checked against the request.
 */
export function authorizeCreate(ctx: RequestContext, action: string, input: Body, network?: Body | null): string {
  const requested = (input.project_id ?? input.tenant_id) as string | undefined;
  if (input.project_id && input.tenant_id && input.project_id !== input.tenant_id) {
    fail(400, 'HTTPBadRequest', "'project_id' and 'tenant_id' do not match");
  }
  // Neutron's API layer, before any policy (a 400 there, not a 403): only an admin names a project other than its own.
  if (requested && requested !== ctx.projectId && !may(ctx, 'context_is_admin')) {
    fail(
      400,
      'HTTPBadRequest',
      "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges",
    );
  }
  const projectId = requested ?? ctx.projectId;
  const target = targetOf({ ...input, project_id: projectId, tenant_id: projectId }, network);
  enforce(ctx, action, target);
  ctx.policy.enforceAttributes(ctx.caller, action, input, target);
  return projectId;
}
