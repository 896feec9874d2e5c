import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, rssMiB, spawnControlPlane, waitIdle } from '../lib/control-plane';
import { Http } from '../lib/http';
import { ROOT } from '../lib/machine';
import { newestProfile, summariseProfile, type ProfileSummary } from '../lib/profile';
import type { SqlStat } from '../lib/sqlite-stats';
import { Growth, setupEvents } from '../scenario/generate';
import { buildLayout, type Layout } from '../scenario/layout';
import { prepopulate } from '../scenario/prepopulate';
import { Rng } from '../scenario/rng';
import { level, type ApiLevel } from './api-level';

export interface ApiOptions {
  sizes: number[];
  concurrency: number[];
  ops: number;
  levelSeconds: number;
  sync: string;
  profile: boolean;
}

export interface ApiSize {
  ports: number;
  startSeconds: number;
  catchUpSeconds: number;
  rssMiB: number;
  levels: ApiLevel[];
}
export interface ApiRun {
  sync: string;
  /** Whether the control plane served the L2 agent API (its projector then runs beside the API and shares the CPU). */
  l2Embedded: boolean;
  sizes: ApiSize[];
}
/** SQLite's own time in the control plane during the profiled level (and the projector work it caused). */
export interface ApiSql {
  operations: number;
  totalMs: number;
  calls: number;
  top: SqlStat[];
}
export interface ApiFigures {
  hosts: number;
  networks: number;
  runs: ApiRun[];
  /** The command side without the in-process projectors and scheduler, largest size, last sync mode. */
  apiOnly?: ApiRun;
  bestOpsPerSecond: number;
  profile?: ProfileSummary;
  sql?: ApiSql;
}

/** Starts the control plane on `dataDir`, warms it up, and measures each concurrency level. */
async function measureSize(
  dataDir: string,
  sync: string,
  ports: number,
  o: ApiOptions,
  layout: Layout,
  rng: Rng,
  log: (s: string) => void,
  script?: string,
): Promise<{ size: ApiSize; l2: boolean }> {
  const t0 = Date.now();
  const cp = await spawnControlPlane({ dataDir, env: { CP_SQLITE_SYNCHRONOUS: sync }, script });
  const startSeconds = (Date.now() - t0) / 1000;
  try {
    const probe = new Http(cp.url, 1);
    const l2 = (await probe.call('GET', '/v1/hosts/compute-00000/l2')).status === 200;
    probe.close();
    const catchUpSeconds = await waitIdle(cp.child.pid!);
    // Warm-up, not recorded: JIT and SQLite page cache, so the first level is not penalised.
    await level(cp, layout, 4, { ...o, ops: 30 }, rng);
    await waitIdle(cp.child.pid!);
    const levels: ApiLevel[] = [];
    for (const c of o.concurrency) {
      const l = await level(cp, layout, c, o, rng);
      levels.push(l);
      log(
        `api ${script ? 'API-only ' : ''}${sync} ${ports} ports c=${c}: ${l.opsPerSecond} ops/s, p50/p99 create ${l.latencyMs.create.p50}/${l.latencyMs.create.p99} bind ${l.latencyMs.bind.p50}/${l.latencyMs.bind.p99} up ${l.latencyMs.up.p50}/${l.latencyMs.up.p99} ms${l.errors ? `, ${l.errors} errors` : ''}`,
      );
      // The projectors run behind the API under load: let them finish before the next level.
      await waitIdle(cp.child.pid!);
    }
    return { size: { ports, startSeconds, catchUpSeconds, rssMiB: rssMiB(cp.child.pid!), levels }, l2 };
  } finally {
    await cp.stop();
  }
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'cp-bench-api-'));

/**
 * A profiled pass on the grown cloud at concurrency 16, through bench/lib/sql-stats-main.ts
 * (the real main with SQLite calls timed by statement): where the server's time goes.
 */
async function profileServer(
  dataDir: string,
  sync: string,
  ports: number,
  o: ApiOptions,
  layout: Layout,
  rng: Rng,
): Promise<{ profile?: ProfileSummary; sql?: ApiSql }> {
  const profileDir = tempDir();
  const statsFile = join(profileDir, 'sql.json');
  try {
    const cp = await spawnControlPlane({
      dataDir,
      script: join(ROOT, 'dist/bench/lib/sql-stats-main.js'),
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
      env: { CP_SQLITE_SYNCHRONOUS: sync, CP_BENCH_SQL_STATS: statsFile },
    });
    await waitIdle(cp.child.pid!);
    cp.child.kill('SIGUSR2'); // count from here: the level, and the projector work it causes
    const l = await level(cp, layout, 16, o, rng);
    await waitIdle(cp.child.pid!);
    await cp.stop();
    const file = newestProfile(profileDir);
    return {
      profile: file ? { ...summariseProfile(file), file: `control plane, ${sync}, ~${ports} ports, concurrency 16` } : undefined,
      sql: existsSync(statsFile)
        ? { ...(JSON.parse(readFileSync(statsFile, 'utf8')) as Omit<ApiSql, 'operations'>), operations: l.operations }
        : undefined,
    };
  } finally {
    removeDir(profileDir);
  }
}

/**
 * Grows one cloud through the sizes (ports appended through the write side
 * while the control plane is stopped; its L2 projector catches up on start),
 * and at each size measures every sync mode on the same data: the mode is only
 * a pragma, so both see the same cloud and the catch-up is paid once per size.
 */
export async function runApi(o: ApiOptions, log: (s: string) => void): Promise<{ figures: ApiFigures; notes: string[] }> {
  const max = Math.max(...o.sizes);
  // Networks for the largest size (mean ~12 ports each); smaller sizes fill a prefix of their ports.
  const layout = buildLayout({
    seed: 42,
    hosts: 1000,
    networks: Math.max(20, Math.round(max / 12)),
    networkNodes: 6,
    networksPerProject: 3,
    routerRatio: 0,
    maxSpan: 48,
  });
  const modes = o.sync
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s === 'FULL' || s === 'NORMAL');
  const runs: ApiRun[] = modes.map((sync) => ({ sync, l2Embedded: false, sizes: [] }));
  const rng = new Rng(7);
  const growth = new Growth(layout, rng);
  const dataDir = tempDir();
  let profile: ProfileSummary | undefined;
  let apiOnly: ApiRun | undefined;
  let sql: ApiSql | undefined;
  try {
    await prepopulate(dataDir, setupEvents(layout));
    for (const ports of o.sizes) {
      await prepopulate(
        dataDir,
        (function* () {
          yield* growth.grow(ports);
          yield* growth.flush();
        })(),
      );
      for (const run of runs) {
        const { size, l2 } = await measureSize(dataDir, run.sync, ports, o, layout, rng, log);
        run.sizes.push(size);
        run.l2Embedded = l2;
      }
    }
    const sync = modes[modes.length - 1];
    const apiOnlyScript = join(ROOT, 'dist/bench/lib/api-only.js');
    apiOnly = {
      sync,
      l2Embedded: false,
      sizes: [(await measureSize(dataDir, sync, max, { ...o, concurrency: [1, 16] }, layout, rng, log, apiOnlyScript)).size],
    };
    if (o.profile) ({ profile, sql } = await profileServer(dataDir, sync, max, o, layout, rng));
  } finally {
    removeDir(dataDir);
  }
  const best = Math.max(...runs.flatMap((r) => r.sizes.flatMap((s) => s.levels.map((l) => l.opsPerSecond))));
  const notes: string[] = [];
  if (runs.some((r) => !r.l2Embedded))
    notes.push(
      'The control plane did not serve /v1/hosts/{host}/l2: its L2 projector was not embedded, so these figures exclude the projection work a port-up causes.',
    );
  notes.push(
    'Client and server share the machine: the client (this process) uses part of the 2 cores; serverCpuMsPerOp is the server alone.',
  );
  notes.push(
    'The L2 projector runs in the API process: a level ends when the API answered; the projector then finishes its backlog before the next level starts.',
  );
  return {
    figures: { hosts: layout.hosts.length, networks: layout.networks.length, runs, apiOnly, bestOpsPerSecond: best, profile, sql },
    notes,
  };
}
