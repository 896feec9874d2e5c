/**
 * A real Keystone for tests and benchmarks (scripts/keystone/start.sh: Debian's keystone on loopback, SQLite,
 * fernet tokens), and a small client of its v3 API to make the projects, users and roles a
 * test needs and to issue and revoke their tokens.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './machine';

// From bench/lib (tests, ts) or dist/bench/lib (the built bench): the project's root is where package.json is.
const START = path.join(ROOT, 'scripts', 'keystone', 'start.sh');

export interface Keystone {
  url: string;
  adminPassword: string;
  /** A project-scoped token of `user` (password auth), as the openstack CLI would get it. */
  token(user: string, password: string, project: string): Promise<string>;
  /** Makes (or finds) a project, a user with a password, and gives the user `roles` on the project. */
  user(name: string, password: string, project: string, roles: string[]): Promise<{ userId: string; projectId: string }>;
  revoke(token: string): Promise<void>;
  /** Registers the control plane as the catalog's `network` service, as Neutron is. */
  registerNetworkEndpoint(url: string): Promise<void>;
  stop(): void;
}

/** The parts of Keystone's answers read here: a list by kind, or one resource with its id. */
type KeystoneBody = Record<string, Array<{ id: string }> | { id: string }>;
const one = (body: KeystoneBody, key: string): string => (body[key] as { id: string }).id;

export async function startKeystone(): Promise<Keystone> {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      'bash',
      [START],
      { timeout: 120_000, env: { ...process.env, KEYSTONE_OWNER_PID: String(process.pid) } },
      (err, stdout, stderr) => (err ? reject(new Error(`Keystone did not start: ${stderr}`)) : resolve(stdout)),
    ),
  );
  const vars: Record<string, string> = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l): [string, string] => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const url = vars.KEYSTONE_URL;
  const adminPassword = vars.KEYSTONE_ADMIN_PASSWORD;

  const call = async (method: string, p: string, token: string | null, body?: unknown) => {
    const res = await fetch(url + p, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { 'x-auth-token': token } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok && res.status !== 409) throw new Error(`Keystone ${method} ${p}: ${res.status} ${text}`);
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as KeystoneBody };
  };
  const token = async (user: string, password: string, project: string) => {
    const res = await call('POST', '/auth/tokens?nocatalog', null, {
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password } } },
        scope: { project: { name: project, domain: { id: 'default' } } },
      },
    });
    return res.headers.get('x-subject-token')!;
  };
  const admin = () => token('admin', adminPassword, 'admin');
  const find = async (kind: 'projects' | 'users' | 'roles', name: string, t: string): Promise<string | null> =>
    ((await call('GET', `/${kind}?name=${encodeURIComponent(name)}`, t)).body[kind] as Array<{ id: string }>)[0]?.id ?? null;
  const ensure = async (kind: 'projects' | 'users' | 'roles', name: string, t: string, extra: Record<string, unknown> = {}) => {
    const existing = await find(kind, name, t);
    if (existing) return existing;
    const singular = kind.slice(0, -1);
    return one((await call('POST', `/${kind}`, t, { [singular]: { name, ...extra } })).body, singular);
  };

  return {
    url,
    adminPassword,
    token,
    async user(name, password, project, roles) {
      const t = await admin();
      const projectId = await ensure('projects', project, t, { domain_id: 'default' });
      const userId = await ensure('users', name, t, { domain_id: 'default', password });
      for (const role of roles) {
        const roleId = await ensure('roles', role, t);
        await call('PUT', `/projects/${projectId}/users/${userId}/roles/${roleId}`, t);
      }
      return { userId, projectId };
    },
    async revoke(subject) {
      const res = await fetch(`${url}/auth/tokens`, {
        method: 'DELETE',
        headers: { 'x-auth-token': await admin(), 'x-subject-token': subject },
      });
      if (res.status !== 204) throw new Error(`revoking a token: ${res.status}`);
    },
    async registerNetworkEndpoint(endpoint) {
      const t = await admin();
      const service = one((await call('POST', '/services', t, { service: { name: 'neutron', type: 'network' } })).body, 'service');
      for (const iface of ['public', 'internal', 'admin']) {
        await call('POST', '/endpoints', t, { endpoint: { service_id: service, interface: iface, url: endpoint, region_id: 'RegionOne' } });
      }
    },
    stop() {
      try {
        process.kill(Number(vars.KEYSTONE_PID));
      } catch {
        // already gone
      }
      rmSync(vars.KEYSTONE_DIR, { recursive: true, force: true });
    },
  };
}
