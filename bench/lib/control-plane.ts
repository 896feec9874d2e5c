import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './machine';

export interface ControlPlane {
  url: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Script to run instead of the API's main (the bench's own composition, see embedded-l2.ts). */
  script?: string;
}

/** Every quota lifted (-1): see spawnControlPlane. */
const UNLIMITED_QUOTAS = Object.fromEntries(
  ['NETWORK', 'SUBNET', 'PORT', 'ROUTER', 'FLOATINGIP', 'SECURITY_GROUP', 'SECURITY_GROUP_RULE'].map((r) => [`CP_QUOTA_${r}`, '-1']),
);

/**
 * Starts the real control plane (`dist/apps/api/src/main.js`, embedded mode) on
 * an ephemeral loopback port, as test/support/control-plane.ts does, with what a
 * benchmark needs on top: a fresh data dir, no log noise, agents that never
 * time out (the bench does not heartbeat), no quotas, and node flags for profiling.
 */
export async function spawnControlPlane(opts: SpawnOptions = {}): Promise<ControlPlane> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cp-bench-'));
  // A directory made here is removed on stop; a caller's stays for the caller.
  const owned = opts.dataDir === undefined;
  const script = opts.script ?? join(ROOT, 'dist/apps/api/src/main.js');
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), script], {
    cwd: ROOT,
    env: {
      ...process.env,
      CP_PORT: '0',
      CP_HOST: '127.0.0.1',
      CP_DATA_DIR: dataDir,
      CP_LOG_LEVEL: 'warn',
      CP_AGENT_DOWN_TIME: '86400',
      // The benchmarks put thousands of ports, networks and routers in one project: Neutron's default
      // quotas (500 ports, 10 routers...) would refuse them, so every limit is lifted here.
      ...UNLIMITED_QUOTAS,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    // Generous: embedded mode's projectors catch up with the store before it listens.
    const timer = setTimeout(() => {
      // SIGKILL: Nest's shutdown hooks would wait for the unfinished bootstrap.
      child.kill('SIGKILL');
      reject(new Error(`control plane did not start within 10 minutes:\n${out}`));
    }, 600_000);
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
    dataDir,
    child,
    output: () => out,
    stop: async () => {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // SIGINT: main.ts closes the app and the databases (and --cpu-prof writes its profile).
        child.kill('SIGINT');
      });
      if (owned) removeDir(dataDir);
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Waits until the process has used under 5% of a core for a whole second: its
 * projectors have caught up with what was appended, so the next measurement
 * does not pay for earlier work.
 */
export async function waitIdle(pid: number, timeoutMs = 600_000): Promise<number> {
  const start = Date.now();
  let last = cpuSeconds(pid);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpuSeconds(pid);
    if (!(now - last > 0.05)) return (Date.now() - start) / 1000;
    if (Date.now() - start > timeoutMs) throw new Error('the control plane did not go idle');
    last = now;
  }
}
