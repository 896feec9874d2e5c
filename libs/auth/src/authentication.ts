import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** What the middleware leaves on each request: the caller, and the policy that judges it. */
export interface RequestAuth {
  caller: Caller;
  policy: Policy;
}
export type RequestWithCaller = IncomingMessage & { auth?: RequestAuth };

/**
 * One process's authentication and policy: who the caller is (Keystone token or noauth
 * headers), and the rules that say what it may do. The middleware runs before any route, so
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

  middleware(): (req: RequestWithCaller, res: ServerResponse, next: (err?: unknown) => void) => void {
    return (req, res, next) => {
      const path = (req.url ?? '/').split('?')[0];
      if (PUBLIC.test(path)) return next();
      this.callerOf(req).then(
        (caller) => {
          req.auth = { caller, policy: this.policy };
          const route = agentRoute(req.method ?? 'GET', path);
          if (route && !this.policy.allows(caller, route.action, { host: route.host })) {
            return refuse(
              res,
              403,
              'PolicyNotAuthorized',
              `rule:${route.action} is disallowed by policy: not an agent of host ${route.host}`,
            );
          }
          next();
        },
        (err: unknown) => {
          if (err instanceof Unauthenticated) {
            if (this.keystone) res.setHeader('WWW-Authenticate', `Keystone uri="${this.keystone.settings.url}"`);
            return refuse(res, 401, 'HTTPUnauthorized', err.message);
          }
          if (err instanceof IdentityUnavailable)
            return refuse(res, 503, 'ServiceUnavailable', `Authentication is unavailable: ${err.message}`);
          next(err);
        },
      );
    };
  }

  private async callerOf(req: RequestWithCaller): Promise<Caller> {
    if (this.config.strategy === 'noauth') return callerFromHeaders(req, this.config.defaultProjectId);
    // Keystone mode: identity comes from the token only; X-Project-Id, X-Roles and the like are never read.
    return this.keystone!.authenticate(header(req, 'x-auth-token'));
  }
}

function refuse(res: ServerResponse, status: number, type: string, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ NeutronError: { type, message, detail: '' } }));
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** The caller the middleware established; a route without one is a wiring bug, not a client error. */
export function authOf(req: RequestWithCaller): RequestAuth {
  if (!req.auth) throw new Error('authentication middleware did not run for this route');
  return req.auth;
}
