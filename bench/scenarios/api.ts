import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, removeDir, rssMiB, spawnControlPlane, waitIdle, type ControlPlane } from '../lib/control-plane';
import { Http, pool } from '../lib/http';
import { newestProfile, summariseProfile, type ProfileSummary } from '../lib/profile';
import { msSince, round, summarise, type Summary } from '../lib/stats';
import { Growth, setupEvents } from '../scenario/generate';
import { buildLayout, sizeWeightedPicker, type Layout } from '../scenario/layout';
import { prepopulate } from '../scenario/prepopulate';
import { Rng } from '../scenario/rng';

export interface ApiOptions {
  sizes: number[];
  concurrency: number[];
  ops: number;
  levelSeconds: number;
  sync: string;
  profile: boolean;
}

export interface ApiLevel {
  concurrency: number;
  lifecycles: number;
  operations: number;
  errors: number;
  seconds: number;
  opsPerSecond: number;
  /** Control-plane CPU used per operation, ms (from /proc): what the server pays, client aside. */
  serverCpuMsPerOp: number;
  latencyMs: { create: Summary; bind: Summary; up: Summary };
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
export interface ApiFigures {
  hosts: number;
  networks: number;
  runs: ApiRun[];
  bestOpsPerSecond: number;
  profile?: ProfileSummary;
}

/** One lifecycle: create on a network (new ports land where ports are), bind to one of its hosts, report it up. */
function lifecycle(http: Http, layout: Layout, pick: () => { network: Layout['networks'][number]; host: string }, lat: Record<'create' | 'bind' | 'up', number[]>, errors: { n: number }) {
  return async () => {
    const { network, host } = pick();
    const project = layout.projects[network.project].id;
    try {
      let t = process.hrtime.bigint();
      const created = await http.ok<{ port: { id: string } }>('POST', '/v2.0/ports', {
        port: { network_id: network.id, project_id: project, device_owner: 'compute:nova', device_id: `vm-bench-${t}` },
      });
      lat.create.push(msSince(t));
      t = process.hrtime.bigint();
      await http.ok('PUT', `/v2.0/ports/${created.port.id}`, { port: { 'binding:host_id': host } });
      lat.bind.push(msSince(t));
      t = process.hrtime.bigint();
      await http.ok('POST', `/v1/hosts/${encodeURIComponent(host)}/ports/${created.port.id}/up`);
      lat.up.push(msSince(t));
    } catch {
      errors.n++;
    }
  };
}

async function level(cp: ControlPlane, layout: Layout, concurrency: number, o: ApiOptions, rng: Rng): Promise<ApiLevel> {
  const http = new Http(cp.url, concurrency);
  const weighted = sizeWeightedPicker(layout, rng);
  const pick = () => {
    const network = weighted();
    return { network, host: layout.hosts[network.span[rng.int(network.span.length)]].name };
  };
  const lat = { create: [] as number[], bind: [] as number[], up: [] as number[] };
  const errors = { n: 0 };
  const run = lifecycle(http, layout, pick, lat, errors);
  const cpu0 = cpuSeconds(cp.child.pid!);
  const t0 = process.hrtime.bigint();
  const done = await pool(o.ops, concurrency, Date.now() + o.levelSeconds * 1000, run);
  const seconds = msSince(t0) / 1000;
  const cpu = cpuSeconds(cp.child.pid!) - cpu0;
  http.close();
  const operations = lat.create.length + lat.bind.length + lat.up.length;
  return {
    concurrency, lifecycles: done, operations, errors: errors.n, seconds: round(seconds), opsPerSecond: Math.round(operations / seconds),
    serverCpuMsPerOp: round((cpu * 1000) / Math.max(1, operations)),
    latencyMs: { create: summarise(lat.create), bind: summarise(lat.bind), up: summarise(lat.up) },
  };
}

/**
 * Grows one cloud through the sizes (ports appended through the write side
 * while the control plane is stopped), and at each size restarts it, lets its
 * projectors catch up, then drives port lifecycles at each concurrency.
 */
async function runSync(sync: string, o: ApiOptions, layout: Layout, log: (s: string) => void, profileDir?: string): Promise<ApiRun> {
  const rng = new Rng(7);
  const growth = new Growth(layout, rng);
  const dataDir = tempDir();
  const run: ApiRun = { sync, l2Embedded: false, sizes: [] };
  await prepopulate(dataDir, setupEvents(layout));
  for (const size of o.sizes) {
    await prepopulate(dataDir, (function* () { yield* growth.grow(size); yield* growth.flush(); })());
    const t0 = Date.now();
    const cp = await spawnControlPlane({ dataDir, env: { CP_SQLITE_SYNCHRONOUS: sync } });
    const startSeconds = (Date.now() - t0) / 1000;
    try {
      const probe = new Http(cp.url, 1);
      run.l2Embedded = (await probe.call('GET', '/v1/hosts/compute-00000/l2')).status === 200;
      probe.close();
      const catchUpSeconds = await waitIdle(cp.child.pid!);
      // Warm-up, not recorded: JIT and SQLite page cache, so the first level is not penalised.
      await level(cp, layout, 4, { ...o, ops: 30 }, rng);
      await waitIdle(cp.child.pid!);
      const levels: ApiLevel[] = [];
      for (const c of o.concurrency) {
        levels.push(await level(cp, layout, c, o, rng));
        const l = levels[levels.length - 1];
        log(`api ${sync} ${size} ports c=${c}: ${l.opsPerSecond} ops/s, p50/p99 create ${l.latencyMs.create.p50}/${l.latencyMs.create.p99} bind ${l.latencyMs.bind.p50}/${l.latencyMs.bind.p99} up ${l.latencyMs.up.p50}/${l.latencyMs.up.p99} ms${l.errors ? `, ${l.errors} errors` : ''}`);
        await waitIdle(cp.child.pid!);
      }
      run.sizes.push({ ports: size, startSeconds, catchUpSeconds, rssMiB: rssMiB(cp.child.pid!), levels });
    } finally {
      await cp.stop();
    }
  }
  if (profileDir) {
    // A profiled pass on the grown cloud at the busiest useful concurrency: where the server's time goes.
    const cp = await spawnControlPlane({ dataDir, env: { CP_SQLITE_SYNCHRONOUS: sync }, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
    await waitIdle(cp.child.pid!);
    await level(cp, layout, 16, o, rng);
    await cp.stop();
  }
  removeDir(dataDir);
  return run;
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'cp-bench-api-'));

export async function runApi(o: ApiOptions, log: (s: string) => void): Promise<{ figures: ApiFigures; notes: string[] }> {
  const max = Math.max(...o.sizes);
  // Networks for the largest size (mean ~12 ports each); smaller sizes fill a prefix of their ports.
  const layout = buildLayout({ seed: 42, hosts: 1000, networks: Math.max(20, Math.round(max / 12)), networkNodes: 6, networksPerProject: 3, routerRatio: 0, maxSpan: 48 });
  const modes = o.sync.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s === 'FULL' || s === 'NORMAL');
  const runs: ApiRun[] = [];
  let profile: ProfileSummary | undefined;
  for (const sync of modes) {
    const profileDir = o.profile && sync === modes[modes.length - 1] ? tempDir() : undefined;
    runs.push(await runSync(sync, o, layout, log, profileDir));
    if (profileDir) {
      const file = newestProfile(profileDir);
      if (file) profile = { ...summariseProfile(file), file: `control plane, ${sync}, ${max} ports, concurrency 16` };
      removeDir(profileDir);
    }
  }
  const best = Math.max(...runs.flatMap((r) => r.sizes.flatMap((s) => s.levels.map((l) => l.opsPerSecond))));
  const notes: string[] = [];
  if (runs.some((r) => !r.l2Embedded)) notes.push('The control plane did not serve /v1/hosts/{host}/l2: its L2 projector was not embedded yet, so these figures exclude the projection work a port-up causes.');
  notes.push('Client and server share the machine: the client (this process) uses part of the 2 cores; serverCpuMsPerOp is the server alone.');
  return { figures: { hosts: layout.hosts.length, networks: layout.networks.length, runs, bestOpsPerSecond: best, profile }, notes };
}
