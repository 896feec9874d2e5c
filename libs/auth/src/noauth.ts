import type { IncomingHttpHeaders } from 'node:http';
import { agentHostOf, type Caller, withImpliedRoles } from './caller';

export function header(req: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
}

/**
 * noauth (Neutron's `auth_strategy = noauth`): the caller is whoever the headers say, the way
 * keystonemiddleware would have left them: X-Project-Id (or X-Tenant-Id), X-Roles, X-User-Id,
 * X-User-Name. No project header: admin of the default project. Only for the embedded demo and
 * tests on loopback; see AuthSettings for the guard.
 */
export function callerFromHeaders(req: { headers: IncomingHttpHeaders }, defaultProjectId: string): Caller {
  const project = header(req, 'x-project-id') ?? header(req, 'x-tenant-id');
  const roles = withImpliedRoles(project ? (header(req, 'x-roles') ?? '').split(',') : ['admin']);
  const userId = header(req, 'x-user-id') ?? (project ? `project:${project}` : 'noauth');
  const userName = header(req, 'x-user-name') ?? userId;
  return {
    userId,
    userName,
    projectId: project ?? defaultProjectId,
    projectName: header(req, 'x-project-name') ?? null,
    domainId: header(req, 'x-project-domain-id') ?? null,
    roles,
    agentHost: agentHostOf(userName, roles),
    via: 'noauth',
  };
}
