import { HttpException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { actorOf, authOf, type RequestWithCaller } from '@cp/auth';

/** Who is calling, as far as these endpoints care: from the authentication of the process serving them. */
export interface L3Caller {
  /** Recorded as the actor of appended events. */
  actor: string;
  requestId: string;
}

export function l3CallerOf(req: RequestWithCaller & { requestId?: string }): L3Caller {
  const { caller } = authOf(req);
  const requestId = req.requestId ?? (req.headers['x-openstack-request-id'] as string | undefined) ?? `req-${randomUUID()}`;
  return { actor: actorOf(caller), requestId };
}

/** An HTTP error with Neutron's body, which every Neutron client parses. */
export function neutronFail(status: number, type: string, message: string): never {
  throw new HttpException({ NeutronError: { type, message, detail: '' } }, status);
}

/** Enforces a policy rule that needs no target (Neutron's l3_agent_scheduler calls: admin only by default). */
export function enforceRule(req: RequestWithCaller, rule: string): void {
  const { caller, policy } = authOf(req);
  policy.enforce(caller, rule);
}
