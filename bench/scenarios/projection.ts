import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { restoreSnapshot, takeSnapshot } from '@cp/store';
import { removeDir } from '../lib/control-plane';
import type { TypeCost } from '../lib/instrument';
import type { SqlStat } from '../lib/sqlite-stats';
import { ROOT } from '../lib/machine';
import { newestProfile, summariseProfile, type ProfileSummary } from '../lib/profile';
import { bulkLoad } from '../scenario/bulk-load';
import { DEFAULT_STREAM, generateStream, paramsForEvents, take } from '../scenario/generate';
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
  /** Time inside the projection's per-event apply; the rest is reads, per-batch derivation and commits. */
  applySeconds?: number;
  /** The model's checkpoint when the run began (0: a full rebuild). */
  from?: number;
  /**
   * `seconds` when complete; else extrapolated from the mean cost per event type so far (a lower
   * bound: costs grow with the model, as hosts per network and group fill up).
   */
  fullRebuildSeconds: number;
  rssMiB: number;
  maxRssMiB: number;
  queriesPerEvent: number;
  costliest: TypeCost[];
  /** Time inside SQLite itself (reads of the event store included), by statement. */
  sqlite: { totalMs: number; calls: number; top: SqlStat[] };
  rows: Record<string, number>;
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
  /** Then `tail` more events of live traffic appended, and each model caught up from its checkpoint (batches of 500). */
  tail: number;
  l2CatchUp?: Rebuild;
  l3CatchUp?: Rebuild;
  /** The L2 model rebuilt from a snapshot taken before the tail: the snapshot put in place, then the tail replayed (batches of 5,000). */
  l2FromSnapshot?: SnapshotRebuild;
}

export interface SnapshotRebuild {
  /** Taking the snapshot of the complete model (VACUUM INTO on a worker thread). */
  snapshotSeconds: number;
  snapshotMiB: number;
  /** Putting it in place of a lost model file. */
  restoreSeconds: number;
  catchUp: Rebuild;
  /** Restore plus catch-up: what a rebuild from the snapshot costs, against the full rebuild. */
  totalSeconds: number;
}

export interface ProjectionFigures {
  sizes: ProjectionSize[];
  profile?: ProfileSummary;
}

const WORKER = join(ROOT, 'dist/bench/scenarios/rebuild-worker.js');

/** Runs the worker on `model` (a new file: full rebuild; an existing one: catch-up from its checkpoint). */
async function rebuild(
  events: string,
  kind: 'l2' | 'l3',
  model: string,
  cap: number,
  nodeArgs: string[] = [],
  batch = 500,
): Promise<Rebuild> {
  const { stdout } = await run(process.execPath, [...nodeArgs, WORKER, events, kind, model, String(cap), String(batch)], {
    maxBuffer: 1 << 24,
  });
  return { ...(JSON.parse(stdout.trim().split('\n').pop()!) as Rebuild), kind };
}

const say = (what: string, r: Rebuild) =>
  `  ${what}: ${r.position - (r.from ?? 0)} events in ${r.seconds}s = ${r.eventsPerSecond} ev/s${r.complete ? '' : ` (capped; full ~${r.fullRebuildSeconds}s)`}, rss ${r.rssMiB} MiB`;

/**
 * Generates a cloud's history straight into a SQLite event store and rebuilds
 * the L2 and L3 read models from position 0 through StoreProjector, each in a
 * fresh process; then appends live traffic and lets each model catch up from
 * its checkpoint, as a projector that follows the store does.
 */
async function measureSize(target: number, dir: string, o: ProjectionOptions, log: (s: string) => void): Promise<ProjectionSize> {
  const params = paramsForEvents(target);
  const layout = buildLayout(params);
  const path = join(dir, 'events.sqlite');
  const stream = generateStream(layout, DEFAULT_STREAM, true);
  const t0 = Date.now();
  const events = await bulkLoad(path, take(stream, target));
  const loadSeconds = (Date.now() - t0) / 1000;
  log(
    `projection: ${events} events (${params.hosts} hosts, ${params.networks} networks, ${layout.totalPorts} ports) loaded in ${loadSeconds}s`,
  );
  const l2 = await rebuild(path, 'l2', join(dir, 'l2.sqlite'), o.capSeconds);
  log(say('l2 rebuild', l2));
  const l3 = await rebuild(path, 'l3', join(dir, 'l3.sqlite'), o.capSeconds);
  log(say('l3 rebuild', l3));
  const size: ProjectionSize = {
    targetEvents: target,
    events,
    hosts: params.hosts + params.networkNodes,
    networks: params.networks,
    ports: layout.totalPorts,
    projects: layout.projects.length,
    routers: layout.projects.filter((p) => p.router).length,
    loadSeconds,
    l2,
    l3,
    tail: 0,
  };
  // Catching up only means something from a complete model.
  if (l2.complete && l3.complete) {
    // A rate, not a total, is wanted here: a shorter cap keeps the default run within minutes.
    const cap = Math.min(o.capSeconds, 30);
    const taking = Date.now();
    const snapshot = await takeSnapshot(join(dir, 'l2.sqlite'), join(dir, 'snapshots'), 'l2pop');
    const snapshotSeconds = (Date.now() - taking) / 1000;
    size.tail = await bulkLoad(path, take(stream, Math.min(10_000, Math.round(target / 10))));
    size.l2CatchUp = await rebuild(path, 'l2', join(dir, 'l2.sqlite'), cap);
    log(say(`l2 catch-up of ${size.tail}`, size.l2CatchUp));
    if (snapshot) {
      const restoring = Date.now();
      restoreSnapshot(snapshot, join(dir, 'l2-restored.sqlite'));
      const restoreSeconds = (Date.now() - restoring) / 1000;
      // As `controlplane rebuild` runs it: batches of 5,000.
      const catchUp = await rebuild(path, 'l2', join(dir, 'l2-restored.sqlite'), cap, [], 5_000);
      const snapshotMiB = Math.round(statSync(snapshot.path).size / 2 ** 20);
      size.l2FromSnapshot = {
        snapshotSeconds,
        snapshotMiB,
        restoreSeconds,
        catchUp,
        totalSeconds: +(restoreSeconds + catchUp.seconds).toFixed(2),
      };
      log(
        `  l2 from a snapshot at ${snapshot.position} (${snapshotMiB} MiB, taken in ${snapshotSeconds}s): restored in ${restoreSeconds}s + ${say('catch-up', catchUp).trim()} = ${size.l2FromSnapshot.totalSeconds}s`,
      );
    }
    size.l3CatchUp = await rebuild(path, 'l3', join(dir, 'l3.sqlite'), cap);
    log(say(`l3 catch-up of ${size.tail}`, size.l3CatchUp));
  }
  return size;
}

export async function runProjection(
  o: ProjectionOptions,
  log: (s: string) => void,
): Promise<{ figures: ProjectionFigures; notes: string[] }> {
  const sizes: ProjectionSize[] = [];
  const notes: string[] = [];
  const dirs: string[] = [];
  for (const target of o.sizes) {
    dirs.push(mkdtempSync(join(tmpdir(), 'cp-bench-proj-')));
    sizes.push(await measureSize(target, dirs[dirs.length - 1], o, log));
  }
  const figures: ProjectionFigures = { sizes };
  const biggest = sizes[sizes.length - 1];
  if (biggest && [biggest.l2, biggest.l3].some((r) => !r.complete)) {
    notes.push(
      `Rebuilds were capped at ${o.capSeconds}s each; full times of capped runs are extrapolated per event type from the costs seen so far (a lower bound: costs grow with the model).`,
    );
  }
  if (o.profile && biggest && Math.max(biggest.l2.fullRebuildSeconds, biggest.l3.fullRebuildSeconds) > 20) {
    // The run that missed, profiled again (capped at 60 s): where its time goes.
    const last = dirs.length - 1;
    const profDir = join(dirs[last], 'prof');
    mkdirSync(profDir, { recursive: true });
    const slow = biggest.l2.fullRebuildSeconds >= biggest.l3.fullRebuildSeconds ? 'l2' : 'l3';
    log(`projection: profiling the ${slow} rebuild at ${biggest.events} events`);
    await rebuild(join(dirs[last], 'events.sqlite'), slow, join(profDir, `${slow}.sqlite`), 60, [
      '--cpu-prof',
      `--cpu-prof-dir=${profDir}`,
    ]);
    const file = newestProfile(profDir);
    if (file) figures.profile = { ...summariseProfile(file), file: `${slow} rebuild at ${biggest.events} events` };
  }
  if (!o.keep) for (const d of dirs) removeDir(d);
  else notes.push(`Event stores kept in ${dirs.join(', ')}`);
  return { figures, notes };
}
