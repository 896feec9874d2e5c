import { randomUUID } from 'node:crypto';
import { actorOf, authOf, isAdmin, type Caller, type Policy, type RequestWithCaller, type Target } from '@cp/auth';
import type { CommandContext } from '@cp/events';
import { fail } from '@cp/write-model';

/** A request's caller and policy, with what the command path records of it. */
export interface RequestContext extends CommandContext {
  roles: readonly string[];
  caller: Caller;
  policy: Policy;
  /** `If-Match: revision_number=N`: the change applies only to a resource still at revision N. */
  revisionConstraint: number | null;
}

/** The caller as authentication established it (a Keystone token, or noauth's headers). */
export function contextFromRequest(req: RequestWithCaller & { requestId?: string }): RequestContext {
  const { caller, policy } = authOf(req);
  return {
    projectId: caller.projectId,
    actor: actorOf(caller),
    requestId: req.requestId ?? `req-${randomUUID()}`,
    causationId: null,
    now: new Date().toISOString(),
    isAdmin: isAdmin(caller),
    roles: caller.roles,
    caller,
    policy,
    revisionConstraint: revisionConstraintOf(req.headers['if-match']),
  };
}

/**
 * Neutron's conditional update and delete: an `If-Match` header whose entity tags include
 * `revision_number=N` (other tags are ignored, as Neutron does); more than one, or one that is
 * not an integer, is a 400.
 */
export function revisionConstraintOf(header: string | undefined): number | null {
  if (!header) return null;
  const tags = header
    .split(',')
    .map((t) =>
      t
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .filter((t) => t.startsWith('revision_number='));
  if (tags.length === 0) return null;
  if (tags.length > 1) fail(400, 'HTTPBadRequest', 'Multiple revision_number etags are not supported.');
  const value = tags[0].slice('revision_number='.length);
  if (!/^\d+$/.test(value)) fail(400, 'HTTPBadRequest', 'Revision number must be an integer.');
  return Number(value);
}

/** Whether the policy lets the caller do `action` on `target` (e.g. `get_network` on a network's body). */
export function may(ctx: RequestContext, action: string, target: Target = {}): boolean {
  return ctx.policy.allows(ctx.caller, action, target);
}

/** As `may`, but refuses with 403 PolicyNotAuthorized. */
export function enforce(ctx: RequestContext, action: string, target: Target = {}): void {
  ctx.policy.enforce(ctx.caller, action, target);
}
