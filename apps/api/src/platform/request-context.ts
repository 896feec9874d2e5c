import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { CommandContext } from '@cp/events';

export interface RequestContext extends CommandContext {
  roles: string[];
}

/**
 * The caller, as Neutron's keystone middleware would leave it: project from
 * X-Project-Id (or the older X-Tenant-Id), roles from X-Roles. With no project
 * header the request acts as admin in the default project, like Neutron's noauth.
 */
export function contextFromRequest(req: Request, defaultProjectId: string): RequestContext {
  const header = (name: string) => {
    const v = req.headers[name];
    return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
  };
  const project = header('x-project-id') ?? header('x-tenant-id');
  const roles = project
    ? (header('x-roles') ?? '')
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)
    : ['admin'];
  const requestId = (req as Request & { requestId?: string }).requestId ?? `req-${randomUUID()}`;
  return {
    projectId: project ?? defaultProjectId,
    actor: header('x-user-id') ?? header('x-user-name') ?? (project ? `project:${project}` : 'noauth-admin'),
    requestId,
    causationId: null,
    now: new Date().toISOString(),
    isAdmin: roles.includes('admin'),
    roles,
  };
}
