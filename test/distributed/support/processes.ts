/**
 * Real processes from dist/ for the distributed-mode tests: the API, l2pop-projector
 * and l3-scheduler entry points, each on a fixed loopback port (so a restart keeps
 * its address), with their JSON logs kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
export const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';

export const ENTRY = {
  api: 'dist/apps/api/src/main.js',
  l2pop: 'dist/apps/l2pop-projector/src/main.js',
  l3: 'dist/apps/l3-scheduler/src/main.js',
  dhcp: 'dist/apps/dhcp-projector/src/main.js',
} as const;

export interface Proc {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** Sends `signal` and waits for the exit; resolves the exit code (null when killed by a signal). */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  exited(): boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node <entry>` and waits for its "listening on http://127.0.0.1:<port>" line. */
export async function spawnProc(name: string, entry: string, env: Record<string, string>, timeoutMs = 45_000): Promise<Proc> {
  const port = Number(env.CP_PORT ?? (await freePort()));
  const child = spawn(process.execPath, [join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, CP_HOST: '127.0.0.1', CP_LOG_LEVEL: 'warn', ...env, CP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const take = (b: Buffer) => {
    out += b.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000); // a long run must not grow without bound
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // an untracked child would keep jest from exiting
      reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${out.slice(-4000)}`));
    }, timeoutMs);
    const check = () => {
      if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(out)) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve();
      }
    };
    child.stdout.on('data', check);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${out.slice(-4000)}`));
    });
  });
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    kill: (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      child.kill(signal);
      return exit;
    },
  };
}

/** Polls `check` every 100 ms until it holds or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // a process restarting, a table not yet created: try again
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
