import { execFile } from 'node:child_process';
import type { Json } from './control-plane';

/**
 * Runs the stock `openstack` client (Debian's python3-openstackclient) against
 * our API without Keystone: auth type `none` and the endpoint given directly.
 */
export function openstackCli(endpoint: string) {
  return (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        'openstack',
        ['--os-auth-type', 'none', '--os-endpoint', endpoint, ...args],
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
