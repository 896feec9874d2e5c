import { HttpException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

/** Who is calling, as far as these endpoints care. */
export interface L3Caller {
  isAdmin: boolean;
  /** Recorded as the actor of appended events. */
  actor: string;
  requestId: string;
}

export type CallerResolver = (req: Request) => L3Caller;

/**
 * The default reading of the caller, the same headers the API reads (X-Project-Id,
 * X-Roles; none means noauth admin). The API passes its own resolver so both agree.
 */
export const callerFromHeaders: CallerResolver = (req) => {
  const header = (name: string) => {
    const v = req.headers[name];
    return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
  };
  const project = header('x-project-id') ?? header('x-tenant-id');
  const roles = project ? (header('x-roles') ?? '').split(',').map((r) => r.trim()) : ['admin'];
  return {
    isAdmin: roles.includes('admin'),
    actor: header('x-user-id') ?? (project ? `project:${project}` : 'noauth-admin'),
    requestId: (req as Request & { requestId?: string }).requestId ?? header('x-openstack-request-id') ?? `req-${randomUUID()}`,
  };
};

/** An HTTP error with Neutron's body, which every Neutron client parses. */
export function neutronFail(status: number, type: string, message: string): never {
  throw new HttpException({ NeutronError: { type, message, detail: '' } }, status);
}

/** Neutron's l3_agent_scheduler calls are admin-only by policy. */
export function requireAdmin(caller: L3Caller, rule: string): void {
  if (!caller.isAdmin) neutronFail(403, 'PolicyNotAuthorized', `rule:${rule} is disallowed by policy`);
}
