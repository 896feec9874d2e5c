import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface ControlPlaneProcess {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the real control plane (`node dist/apps/api/src/main.js`, embedded
 * mode) on an ephemeral loopback port and waits for its "listening" line.
 */
export async function spawnControlPlane(
  opts: { dataDir?: string; env?: Record<string, string | undefined>; args?: string[] } = {},
): Promise<ControlPlaneProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cp-e2e-'));
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/api/src/main.js'), ...(opts.args ?? [])], {
    cwd: ROOT,
    env: withoutUnset({ ...process.env, CP_PORT: '0', CP_HOST: '127.0.0.1', CP_DATA_DIR: dataDir, CP_LOG_LEVEL: 'warn', ...opts.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`control plane did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`control plane exited with ${code}:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    child,
    output: () => out,
    kill: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** `controlplane <args>` as a process (built), with only the given CP_ settings in its environment. */
export function runControlplane(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CP_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'dist/apps/api/src/cli/controlplane.js'), ...args],
      // Room for long listings (`events --limit 1000 --json`): past maxBuffer the child is killed and its output cut short.
      { env: { ...clean, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, out, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out, err: stderr }),
    );
  });
}

/** An environment where a setting given as undefined is absent, not the string 'undefined'. */
function withoutUnset(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A JSON body as the tests read it: loosely, field by field (the assertions check it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read HTTP bodies as loose JSON (see eslint.config.mjs)
export type Json = Record<string, any>;

/** A tiny JSON client for the API: status, body and the caller's headers. */
export function client(base: string, headers: Record<string, string> = {}) {
  const call = async (method: string, path: string, body?: unknown, raw?: string) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : null, headers: res.headers };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body),
    put: (path: string, body?: unknown) => call('PUT', path, body),
    del: (path: string) => call('DELETE', path),
    raw: (method: string, path: string, raw: string) => call(method, path, undefined, raw),
    as: (project: string, roles = 'member') => client(base, { 'X-Project-Id': project, 'X-Roles': roles }),
    /** The same caller, sending these headers too (e.g. `If-Match`). */
    with: (extra: Record<string, string>) => client(base, { ...headers, ...extra }),
  };
}

/** The control plane inside the test process: faster, and its internals are reachable. */
export async function startInProcess(env: Record<string, string> = {}) {
  // Imported lazily so tests that only spawn processes do not load Nest.
  const { loadSettings } = await import('../../apps/api/src/config');
  const { startEmbedded } = await import('../../apps/api/src/embedded/start-embedded');
  const dataDir = mkdtempSync(join(tmpdir(), 'cp-inproc-'));
  const settings = loadSettings({ CP_PORT: '0', CP_DATA_DIR: dataDir, CP_LOG_LEVEL: 'silent', CP_SQLITE_SYNCHRONOUS: 'NORMAL', ...env });
  const running = await startEmbedded(settings);
  const url = `http://127.0.0.1:${running.port}`;
  return {
    url,
    dataDir,
    running,
    api: client(url),
    head: () => running.ws.store.headPosition(),
    async close() {
      await running.close();
      removeDir(dataDir);
    },
  };
}

/** The body of a response that must have `status`; otherwise fails with what came instead. */
export function expectStatus<T extends { status: number; body: Json | null }>(res: T, status: number): Json {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body!;
}

/** A request that must be refused with Neutron's error `type`, changing nothing in the event store (`head`: its position). */
export async function expectRefused(
  head: () => Promise<number>,
  call: Promise<{ status: number; body: Json | null }>,
  status: number,
  type: string,
): Promise<Json> {
  const before = await head();
  const res = await call;
  expect([res.status, res.body?.NeutronError?.type]).toEqual([status, type]);
  expect(await head()).toBe(before);
  return res.body!.NeutronError as Json;
}

/** Polls until `probe` holds, or fails after `timeoutMs`. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
