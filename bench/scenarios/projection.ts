import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { removeDir } from '../lib/control-plane';
import type { TypeCost } from '../lib/instrument';
import { ROOT } from '../lib/machine';
import { newestProfile, summariseProfile, type ProfileSummary } from '../lib/profile';
import { bulkLoad } from '../scenario/bulk-load';
import { generateStream, paramsForEvents, take } from '../scenario/generate';
import { buildLayout } from '../scenario/layout';

const run = promisify(execFile);

export interface ProjectionOptions {
  sizes: number[];
  /** Longest a single rebuild may run before it is stopped and extrapolated, seconds. */
  capSeconds: number;
  /** Profile an L2 rebuild (on the middle size) when the 1M target is missed. */
  profile: boolean;
  keep: boolean;
}

export interface Rebuild {
  kind: 'l2' | 'l3';
  head: number;
  handledEvents: number;
  position: number;
  complete: boolean;
  seconds: number;
  eventsPerSecond: number;
  /**
   * `seconds` when complete; else extrapolated from the mean cost per event type so far (a lower
   * bound: costs grow with the model, as hosts per network and group fill up).
   */
  fullRebuildSeconds: number;
  rssMiB: number;
  maxRssMiB: number;
  queriesPerEvent: number;
  costliest: TypeCost[];
}

export interface ProjectionSize {
  targetEvents: number;
  events: number;
  hosts: number;
  networks: number;
  ports: number;
  projects: number;
  routers: number;
  loadSeconds: number;
  l2: Rebuild;
  l3: Rebuild;
}

export interface ProjectionFigures {
  sizes: ProjectionSize[];
  profile?: ProfileSummary;
}

const WORKER = join(ROOT, 'dist/bench/scenarios/rebuild-worker.js');

async function rebuild(events: string, kind: 'l2' | 'l3', dir: string, cap: number, nodeArgs: string[] = []): Promise<Rebuild> {
  const model = join(dir, `${kind}-${Date.now()}.sqlite`);
  const { stdout } = await run(process.execPath, [...nodeArgs, WORKER, events, kind, model, String(cap)], { maxBuffer: 1 << 24 });
  return { ...(JSON.parse(stdout.trim().split('\n').pop()!) as Rebuild), kind };
}

/**
 * Generates a cloud's history straight into a SQLite event store, then rebuilds
 * the L2 and L3 read models from position 0 through StoreProjector, each in a
 * fresh process: rate, full rebuild time, RSS at the end, and what each event
 * type costs in time and SQL statements.
 */
export async function runProjection(o: ProjectionOptions, log: (s: string) => void): Promise<{ figures: ProjectionFigures; notes: string[] }> {
  const sizes: ProjectionSize[] = [];
  const notes: string[] = [];
  const dirs: string[] = [];
  for (const target of o.sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'cp-bench-proj-'));
    dirs.push(dir);
    const params = paramsForEvents(target);
    const layout = buildLayout(params);
    const path = join(dir, 'events.sqlite');
    const t0 = Date.now();
    const events = await bulkLoad(path, take(generateStream(layout), target));
    const loadSeconds = (Date.now() - t0) / 1000;
    log(`projection: ${events} events (${params.hosts} hosts, ${params.networks} networks, ${layout.totalPorts} ports) loaded in ${loadSeconds}s`);
    const l2 = await rebuild(path, 'l2', dir, o.capSeconds);
    log(`  l2: ${l2.position}/${l2.head} in ${l2.seconds}s = ${l2.eventsPerSecond} ev/s${l2.complete ? '' : ` (capped; full ~${l2.fullRebuildSeconds}s)`}, rss ${l2.rssMiB} MiB`);
    const l3 = await rebuild(path, 'l3', dir, o.capSeconds);
    log(`  l3: ${l3.position}/${l3.head} in ${l3.seconds}s = ${l3.eventsPerSecond} ev/s${l3.complete ? '' : ` (capped; full ~${l3.fullRebuildSeconds}s)`}, rss ${l3.rssMiB} MiB`);
    sizes.push({
      targetEvents: target, events, hosts: params.hosts + params.networkNodes, networks: params.networks, ports: layout.totalPorts,
      projects: layout.projects.length, routers: layout.projects.filter((p) => p.router).length, loadSeconds, l2, l3,
    });
  }
  const figures: ProjectionFigures = { sizes };
  const biggest = sizes[sizes.length - 1];
  if (biggest && [biggest.l2, biggest.l3].some((r) => !r.complete)) {
    notes.push(`Rebuilds were capped at ${o.capSeconds}s each; full times of capped runs are extrapolated per event type from the costs seen so far (a lower bound: costs grow with the model).`);
  }
  if (o.profile && biggest && Math.max(biggest.l2.fullRebuildSeconds, biggest.l3.fullRebuildSeconds) > 20) {
    const mid = sizes[Math.floor(sizes.length / 2)];
    const profDir = join(dirs[Math.floor(sizes.length / 2)], 'prof');
    mkdirSync(profDir, { recursive: true });
    const slow = biggest.l2.fullRebuildSeconds >= biggest.l3.fullRebuildSeconds ? 'l2' : 'l3';
    log(`projection: profiling the ${slow} rebuild at ${mid.events} events (20 s)`);
    await rebuild(join(dirs[Math.floor(sizes.length / 2)], 'events.sqlite'), slow, profDir, 20, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
    const file = newestProfile(profDir);
    if (file) figures.profile = { ...summariseProfile(file), file: `${slow} rebuild at ${mid.events} events` };
  }
  if (!o.keep) for (const d of dirs) removeDir(d);
  else notes.push(`Event stores kept in ${dirs.join(', ')}`);
  return { figures, notes };
}
