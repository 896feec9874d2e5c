import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { agentHostOf, type Caller, withImpliedRoles } from './caller';

export interface KeystoneSettings {
  /** Keystone's v3 endpoint, e.g. http://127.0.0.1:5000/v3 */
  url: string;
  /** The control plane's own service user, which may validate others' tokens (role `service` in its project). */
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
  /** How long a validated token (or a refusal) is trusted before Keystone is asked again: revocation takes effect within it. */
  cacheTtlMs: number;
  timeoutMs: number;
}

/** A token Keystone does not accept: missing, malformed, expired or revoked. The API answers 401. */
export class Unauthenticated extends Error {
  override name = 'Unauthenticated';
}
/** Keystone could not be asked. The API answers 503; nobody is let in on a guess. */
export class IdentityUnavailable extends Error {
  override name = 'IdentityUnavailable';
}

interface KeystoneToken {
  expires_at: string;
  user: { id: string; name: string; domain?: { id: string } };
  project?: { id: string; name: string; domain?: { id: string } };
  roles?: Array<{ name: string }>;
}

type Verdict = { caller: Caller } | { refused: string };

/**
 * Neutron's `auth_strategy = keystone` (keystonemiddleware's auth_token): each request's
 * X-Auth-Token is validated with `GET /v3/auth/tokens`, presenting the service's own token.
 * Verdicts are cached by the token's hash for `cacheTtlMs` (never past the token's expiry);
 * concurrent requests with one token share one validation.
 */
export class KeystoneAuth {
  private readonly verdicts: LRUCache<string, Verdict>;
  private readonly inFlight = new Map<string, Promise<Verdict>>();
  private serviceToken: { value: string; renewAt: number } | null = null;
  private serviceTokenPending: Promise<string> | null = null;
  /** Keystone round trips made, for /metrics and the cache's tests. */
  validations = 0;

  constructor(readonly settings: KeystoneSettings) {
    this.verdicts = new LRUCache({ max: 50_000, ttl: Math.max(1, settings.cacheTtlMs) });
  }

  async authenticate(token: string | undefined): Promise<Caller> {
    if (!token) throw new Unauthenticated('The request you have made requires authentication.');
    const key = createHash('sha256').update(token).digest('base64url');
    let verdict = this.verdicts.get(key);
    if (!verdict) {
      let pending = this.inFlight.get(key);
      if (!pending) {
        pending = this.validate(token, key).finally(() => this.inFlight.delete(key));
        this.inFlight.set(key, pending);
      }
      verdict = await pending;
    }
    if ('refused' in verdict) throw new Unauthenticated(verdict.refused);
    return verdict.caller;
  }

  private async validate(token: string, key: string): Promise<Verdict> {
    let res = await this.ask(token, await this.ownToken());
    if (res.status === 401) {
      // Our own token expired or was revoked: get a new one, once.
      this.serviceToken = null;
      res = await this.ask(token, await this.ownToken());
    }
    if (res.status === 404 || res.status === 401) {
      const verdict = { refused: 'The request you have made requires authentication.' };
      this.verdicts.set(key, verdict);
      return verdict;
    }
    if (!res.ok) throw new IdentityUnavailable(`Keystone answered ${res.status} validating a token`);
    const { token: body } = (await res.json()) as { token: KeystoneToken };
    if (!body.project) {
      const verdict = { refused: 'The token is not scoped to a project.' };
      this.verdicts.set(key, verdict);
      return verdict;
    }
    const roles = withImpliedRoles((body.roles ?? []).map((r) => r.name));
    const caller: Caller = {
      userId: body.user.id,
      userName: body.user.name,
      projectId: body.project.id,
      projectName: body.project.name,
      domainId: body.project.domain?.id ?? null,
      roles,
      agentHost: agentHostOf(body.user.name, roles),
      via: 'keystone',
    };
    const left = Date.parse(body.expires_at) - Date.now();
    if (left > 0) this.verdicts.set(key, { caller }, { ttl: Math.min(this.settings.cacheTtlMs, left) });
    return { caller };
  }

  private async ask(subject: string, own: string): Promise<Response> {
    this.validations++;
    try {
      return await fetch(`${this.base()}/auth/tokens?nocatalog`, {
        headers: { 'X-Auth-Token': own, 'X-Subject-Token': subject },
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (err) {
      throw new IdentityUnavailable(`Keystone at ${this.settings.url} cannot be reached: ${(err as Error).message}`);
    }
  }

  /** The service's own token, renewed a minute before it expires. */
  private async ownToken(): Promise<string> {
    if (this.serviceToken && Date.now() < this.serviceToken.renewAt) return this.serviceToken.value;
    this.serviceTokenPending ??= this.issueOwnToken().finally(() => (this.serviceTokenPending = null));
    return this.serviceTokenPending;
  }

  private async issueOwnToken(): Promise<string> {
    const s = this.settings;
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: s.username, domain: { name: s.userDomainName }, password: s.password } },
        },
        scope: { project: { name: s.projectName, domain: { name: s.projectDomainName } } },
      },
    };
    let res: Response;
    try {
      res = await fetch(`${this.base()}/auth/tokens?nocatalog`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(s.timeoutMs),
      });
    } catch (err) {
      throw new IdentityUnavailable(`Keystone at ${s.url} cannot be reached: ${(err as Error).message}`);
    }
    if (!res.ok) throw new IdentityUnavailable(`the service user ${s.username} cannot get a token from Keystone (${res.status})`);
    const value = res.headers.get('x-subject-token');
    if (!value) throw new IdentityUnavailable('Keystone issued no token to the service user');
    const { token } = (await res.json()) as { token: KeystoneToken };
    this.serviceToken = { value, renewAt: Math.max(Date.now() + 5_000, Date.parse(token.expires_at) - 60_000) };
    return value;
  }

  private base(): string {
    return this.settings.url.replace(/\/+$/, '');
  }
}
