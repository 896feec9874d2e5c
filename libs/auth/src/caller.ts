/**
 * Who is calling, as the authentication middleware established it: from a validated Keystone
 * token, or (noauth) from the request's headers. Everything that decides what a caller may do
 * reads this, never the raw headers.
 */
export interface Caller {
  userId: string;
  userName: string;
  projectId: string;
  projectName: string | null;
  domainId: string | null;
  /** Lower-case role names, with Keystone's default implications applied (admin ⇒ member ⇒ reader). */
  roles: readonly string[];
  /** For a credential with the `agent` role: the host it is bound to (user name `agent:<host>`); else null. */
  agentHost: string | null;
  /** How the caller was established; `noauth` is the unauthenticated demo mode. */
  via: 'noauth' | 'keystone';
}

/** Keystone's bootstrap makes admin imply member and member imply reader; noauth applies the same. */
const IMPLIES: Record<string, string[]> = { admin: ['member', 'reader'], member: ['reader'] };

export function withImpliedRoles(roles: Iterable<string>): string[] {
  const all = new Set<string>();
  for (const role of roles) {
    const name = role.trim().toLowerCase();
    if (!name) continue;
    all.add(name);
    for (const implied of IMPLIES[name] ?? []) all.add(implied);
  }
  return [...all].sort();
}

/** The naming rule that binds an agent credential to one host: Keystone user `agent:<host>`. */
export const AGENT_USER_PREFIX = 'agent:';

export function agentHostOf(userName: string, roles: readonly string[]): string | null {
  if (!roles.includes('agent') || !userName.startsWith(AGENT_USER_PREFIX)) return null;
  return userName.slice(AGENT_USER_PREFIX.length) || null;
}

export const isAdmin = (caller: Pick<Caller, 'roles'>): boolean => caller.roles.includes('admin');

/** Recorded as the actor of the events a caller's request appends. */
export function actorOf(caller: Caller): string {
  if (caller.via === 'noauth' && caller.userId === 'noauth') return 'noauth-admin';
  return caller.userName && caller.userName !== caller.userId ? `${caller.userName} (${caller.userId})` : caller.userId;
}
