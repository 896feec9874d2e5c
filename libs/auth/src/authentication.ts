import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { agentRoute } from './agent-routes';
import type { Caller } from './caller';
import { IdentityUnavailable, KeystoneAuth, type KeystoneSettings, Unauthenticated } from './keystone';
import { callerFromHeaders, header } from './noauth';
import { Policy } from './policy/policy';

export type AuthConfig = { policyFile?: string } & (
  { strategy: 'noauth'; defaultProjectId: string; noauthAnyAddress: boolean } | { strategy: 'keystone'; keystone: KeystoneSettings }
);

/**
 * Paths anyone may call: version discovery, the API's docs, the probes (which can have an address of their
 * own), and the topology page's files (the page holds no data: it calls the API with its user's token).
 */
const PUBLIC = /^\/(?:|healthz|readyz|metrics|docs(?:-json|-yaml|\/.*)?|ui(?:\/app\.js|\/vendor\/cytoscape\.min\.js)?)$/;

/** What `admit` leaves on each request: the caller, and the policy that judges it. */
export interface RequestAuth {
  caller: Caller;
  policy: Policy;
}
/** What authentication reads of a request (Node's, or a framework's wrapper of it). */
export type RequestHead = Pick<IncomingMessage, 'headers' | 'method' | 'url'>;
export type RequestWithCaller = RequestHead & { auth?: RequestAuth };

/** A request authentication refuses: the status, Neutron's error type and message, and headers to add. */
export interface Refusal {
  status: number;
  type: string;
  message: string;
  headers?: Record<string, string>;
}

/**
 * One process's authentication and policy: who the caller is (Keystone token or noauth
 * headers), and the rules that say what it may do. `admit` runs before any route, so
 * no handler sees a request without a caller, and agent routes are checked for their host.
 */
export class Authentication {
  readonly policy: Policy;
  readonly keystone: KeystoneAuth | null;

  constructor(readonly config: AuthConfig) {
    this.policy = config.policyFile ? Policy.fromFile(config.policyFile) : new Policy();
    this.keystone = config.strategy === 'keystone' ? new KeystoneAuth(config.keystone) : null;
  }

  /**
   * Checked before listening: noauth trusts any caller's headers, so it serves loopback only
   * unless the operator says otherwise. Returns the line to log at start-up.
   */
  describeFor(host: string): string {
    if (this.config.strategy === 'keystone') return `authentication: keystone at ${this.config.keystone.url}`;
    if (!isLoopback(host) && !this.config.noauthAnyAddress) {
      throw new Error(
        `refusing to serve noauth on ${host}: without authentication anyone who reaches it acts as admin or as any agent. ` +
          'Set CP_AUTH_STRATEGY=keystone (README, "Authentication"), listen on loopback, or set CP_NOAUTH_ANY_ADDRESS=true for a closed lab.',
      );
    }
    return `authentication: NOAUTH (demo only) — callers are who their X-Project-Id/X-Roles headers say; no headers acts as admin`;
  }

  /**
   * Establishes the caller of `req` (left on `req.auth`) and checks agent routes for their host.
   * Null when the request may go on; otherwise what to answer instead (Neutron's error type and
   * message, and any header to add). The HTTP edge calls this before any route runs.
   */
  async admit(req: RequestWithCaller): Promise<Refusal | null> {
    const path = (req.url ?? '/').split('?')[0];
    if (PUBLIC.test(path)) return null;
    let caller: Caller;
    try {
      caller = await this.callerOf(req);
    } catch (err) {
      if (err instanceof Unauthenticated) {
        const headers = this.keystone ? { 'WWW-Authenticate': `Keystone uri="${this.keystone.settings.url}"` } : undefined;
        return { status: 401, type: 'HTTPUnauthorized', message: err.message, headers };
      }
      if (err instanceof IdentityUnavailable) {
        return { status: 503, type: 'ServiceUnavailable', message: `Authentication is unavailable: ${err.message}` };
      }
      throw err;
    }
    req.auth = { caller, policy: this.policy };
    const route = agentRoute(req.method ?? 'GET', path);
    if (route && !this.policy.allows(caller, route.action, { host: route.host })) {
      return {
        status: 403,
        type: 'PolicyNotAuthorized',
        message: `rule:${route.action} is disallowed by policy: not an agent of host ${route.host}`,
      };
    }
    return null;
  }

  private async callerOf(req: RequestWithCaller): Promise<Caller> {
    if (this.config.strategy === 'noauth') return callerFromHeaders(req, this.config.defaultProjectId);
    // Keystone mode: identity comes from the token only; X-Project-Id, X-Roles and the like are never read.
    return this.keystone!.authenticate(header(req, 'x-auth-token'));
  }
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** The caller the middleware established; a route without one is a wiring bug, not a client error. */
export function authOf(req: RequestWithCaller): RequestAuth {
  if (!req.auth) throw new Error('authentication did not run for this route');
  return req.auth;
}
