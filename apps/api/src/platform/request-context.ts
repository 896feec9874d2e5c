import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { actorOf, authOf, isAdmin, type Caller, type Policy, type RequestWithCaller, type Target } from '@cp/auth';
import type { CommandContext } from '@cp/events';

/** A request's caller and policy, with what the command path records of it. */
export interface RequestContext extends CommandContext {
  roles: readonly string[];
  caller: Caller;
  policy: Policy;
}

/** The caller as the authentication middleware established it (a Keystone token, or noauth's headers). */
export function contextFromRequest(req: Request & RequestWithCaller & { requestId?: string }): RequestContext {
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
  };
}

/** Whether the policy lets the caller do `action` on `target` (e.g. `get_network` on a network's body). */
export function may(ctx: RequestContext, action: string, target: Target = {}): boolean {
  return ctx.policy.allows(ctx.caller, action, target);
}

/** As `may`, but refuses with 403 PolicyNotAuthorized. */
export function enforce(ctx: RequestContext, action: string, target: Target = {}): void {
  ctx.policy.enforce(ctx.caller, action, target);
}
