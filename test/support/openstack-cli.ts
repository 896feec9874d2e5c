import { execFile } from 'node:child_process';
import type { Json } from './control-plane';

/** Password auth against a real Keystone: the client finds our API in the catalog, as it finds Neutron. */
export interface PasswordAuth {
  authUrl: string;
  username: string;
  password: string;
  project: string;
}

/**
 * Runs the stock `openstack` client (Debian's python3-openstackclient) against our API:
 * given an endpoint, without Keystone (auth type `none`); given credentials, through Keystone.
 */
export function openstackCli(target: string | PasswordAuth) {
  const auth =
    typeof target === 'string'
      ? ['--os-auth-type', 'none', '--os-endpoint', target]
      : [
          ...['--os-auth-url', target.authUrl, '--os-identity-api-version', '3', '--os-region-name', 'RegionOne'],
          ...['--os-username', target.username, '--os-password', target.password, '--os-project-name', target.project],
          ...['--os-user-domain-name', 'Default', '--os-project-domain-name', 'Default'],
        ];
  return (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        'openstack',
        [...auth, ...args],
        { timeout: 60_000, env: { ...process.env, OS_CLOUD: '', PYTHONWARNINGS: 'ignore' } },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
}

/** Runs a command with `-f json` and parses its output, failing with the client's stderr. */
export async function openstackJson<T = Json>(run: ReturnType<typeof openstackCli>, args: string[]): Promise<T> {
  const res = await run([...args, '-f', 'json']);
  if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} failed (${res.code}): ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}
