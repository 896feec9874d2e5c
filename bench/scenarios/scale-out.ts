import { openDatabase } from '@cp/store';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, removeDir, type ControlPlane } from '../lib/control-plane';
import { summariseProcessProfiles, type ProfileSummary } from '../lib/profile';
import { round } from '../lib/stats';
import { Growth, grownCloud } from '../scenario/generate';
import { buildLayout } from '../scenario/layout';
import { Rng } from '../scenario/rng';
import { measure, type PropagationRun } from './propagation';
import { distributed, PG_URL, startBroker } from './propagation-topology';
import { Watchers } from './propagation-watch';

export interface ScaleOutOptions {
  hosts: number;
  /** l2pop-projector instances to try, e.g. [1, 2, 4]. */
  projectors: number[];
  /** API instances to try, e.g. [1, 2]. */
  apis: number[];
  samples: number;
  load: number;
}

/** One l2pop-projector instance over the measured stretch. */
export interface InstanceFigures {
  /** Events it applied to the L2 model, and their share of all applied. */
  applied: number;
  share: number;
  eventsPerSecond: number;
  /** Partitions it applied events from. */
  partitions: number;
  /** Its CPU (user + system) per 1,000 events applied, ms. */
  cpuMsPerThousand: number | null;
  /** Share of the networks' and sets' state its batches found current in memory (controlplane_l2pop_hot_state_reads_total). */
  hotStateHitRatio: number | null;
}

export interface ScaleOutRun {
  apis: number;
  projectors: number;
  /** Events appended to the store over the measured stretch. */
  appended: number;
  /** Sum over instances of events applied: equal to `appended` when nothing is applied twice or missed. */
  applied: number;
  appliedTwice: number;
  eventsPerSecond: number;
  instances: InstanceFigures[];
  /** All projector instances' CPU (applying and serving the watch streams) per event applied, ms. */
  projectorCpuMsPerEvent: number;
  /** The same less what the instances burn idle (every agent watching, nothing changing), ms. */
  projectorBusyCpuMsPerEvent: number;
  /** The instances' idle CPU together, % of a core. */
  projectorsIdleCpuPct: number;
  /** PostgreSQL's CPU (every server process on this machine) per port-up, ms. */
  databaseCpuMsPerPortUp: number;
  /** All API instances' CPU per port-up (create + bind + up), ms. */
  apiCpuMsPerPortUp: number;
  propagation: PropagationRun;
}

export interface ScaleOutFigures {
  hosts: number;
  runs: ScaleOutRun[];
  /** The first configuration's processes, profiled while measured. */
  profiles: ProfileSummary[];
}

/** `controlplane_projector_applied_events_total` of one process, per partition, for the L2 model. */
async function appliedByPartition(p: ControlPlane): Promise<Map<string, number>> {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^controlplane_projector_applied_events_total\{([^}]*)\} (\d+)/gm)) {
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.projection === 'l2pop') out.set(labels.partition, Number(m[2]));
  }
  return out;
}

/** `controlplane_l2pop_hot_state_reads_total` of one process: state found in memory (hit) or read (miss). */
async function hotStateReads(p: ControlPlane): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  const read = (result: string) =>
    Number(new RegExp(`^controlplane_l2pop_hot_state_reads_total\\{result="${result}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { hit: read('hit'), miss: read('miss') };
}

/** CPU seconds of every PostgreSQL server process on this machine (the bench's database is local). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres')) total += cpuSeconds(Number(pid)) || 0;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

async function headPosition(schema: string): Promise<number> {
  const db = await openDatabase({ kind: 'postgres', url: PG_URL, schema }, []);
  try {
    return Number((await db.get<{ n: string }>('SELECT COUNT(*) AS n FROM events'))!.n);
  } finally {
    await db.close();
  }
}

/**
 * Distributed mode scaled out on one broker: for each (API instances,
 * l2pop-projector instances), the same cloud, every host's agent watching
 * (spread over the projector instances), and port-ups `load` in flight through
 * the API instances in turn. Per projector instance: events applied (from its
 * metrics), share, partitions, CPU per event; in all: applied vs appended
 * (nothing twice), propagation.
 */
export async function runScaleOut(o: ScaleOutOptions, log: (s: string) => void): Promise<{ figures: ScaleOutFigures; notes: string[] }> {
  const layout = buildLayout({
    seed: 42,
    hosts: o.hosts,
    networks: Math.max(10, Math.round(o.hosts / 5)),
    networkNodes: 0,
    networksPerProject: 3,
    routerRatio: 0,
    maxSpan: 48,
  });
  const broker = await startBroker();
  const runs: ScaleOutRun[] = [];
  const profileDir = mkdtempSync(join(tmpdir(), 'cp-bench-prof-'));
  let profiles: ProfileSummary[] = [];
  try {
    for (const apis of o.apis) {
      for (const projectors of o.projectors) {
        const growth = new Growth(layout, new Rng(5));
        const topology = await distributed(
          grownCloud(layout, growth),
          broker,
          // The first configuration runs profiled (a few % of overhead): where each process's CPU goes.
          { apis, projectors, profileDir: runs.length === 0 ? profileDir : undefined },
        );
        const members = new Map<number, Set<string>>();
        for (const p of growth.live) {
          const set = members.get(p.spec.network.index) ?? new Set<string>();
          set.add(p.host);
          members.set(p.spec.network.index, set);
        }
        const w = new Watchers(topology.projectors.map((p) => p.url));
        try {
          await topology.settle();
          await w.open(layout.hosts.map((h) => h.name));
          await topology.settle();
          const schema = topology.eventSchema;
          const idle0 = topology.projectors.map((p) => cpuSeconds(p.child.pid!));
          await new Promise((r) => setTimeout(r, 5000));
          const idleCores = topology.projectors.reduce((a, p, k) => a + cpuSeconds(p.child.pid!) - idle0[k], 0) / 5;
          const before = {
            head: await headPosition(schema),
            applied: await Promise.all(topology.projectors.map(appliedByPartition)),
            hot: await Promise.all(topology.projectors.map(hotStateReads)),
            cpu: topology.projectors.map((p) => cpuSeconds(p.child.pid!)),
            apiCpu: topology.apis.map((p) => cpuSeconds(p.child.pid!)),
            dbCpu: postgresCpuSeconds(),
          };
          const t0 = Date.now();
          // Networks picked evenly: events are keyed by network, so a few big networks would load a few
          // partitions and the split would say more about the workload than about the instances.
          const propagation = await measure(
            topology.apis.map((a) => a.url),
            w,
            layout,
            members,
            o.samples,
            o.load,
            (l, rng) => () => l.networks[rng.int(l.networks.length)],
          );
          await topology.settle();
          const seconds = (Date.now() - t0) / 1000;
          const appended = (await headPosition(schema)) - before.head;
          const instances: InstanceFigures[] = [];
          let projectorCpu = 0;
          for (const [k, p] of topology.projectors.entries()) {
            const now = await appliedByPartition(p);
            let applied = 0;
            let partitions = 0;
            for (const [partition, n] of now) {
              const delta = n - (before.applied[k].get(partition) ?? 0);
              applied += delta;
              if (delta > 0) partitions++;
            }
            const cpu = cpuSeconds(p.child.pid!) - before.cpu[k];
            projectorCpu += cpu;
            const hot = await hotStateReads(p);
            const [hits, misses] = [hot.hit - before.hot[k].hit, hot.miss - before.hot[k].miss];
            instances.push({
              applied,
              share: 0,
              eventsPerSecond: round(applied / seconds, 1),
              partitions,
              cpuMsPerThousand: applied > 0 ? round((cpu * 1e6) / applied, 0) : null,
              hotStateHitRatio: hits + misses > 0 ? round(hits / (hits + misses), 2) : null,
            });
          }
          const applied = instances.reduce((a, i) => a + i.applied, 0);
          for (const i of instances) i.share = round(i.applied / Math.max(1, applied), 3);
          const apiCpu = topology.apis.reduce((a, p, k) => a + cpuSeconds(p.child.pid!) - before.apiCpu[k], 0);
          const run: ScaleOutRun = {
            apis,
            projectors,
            appended,
            applied,
            appliedTwice: Math.max(0, applied - appended),
            eventsPerSecond: round(applied / seconds, 1),
            instances,
            projectorCpuMsPerEvent: round((projectorCpu * 1000) / Math.max(1, applied), 2),
            projectorBusyCpuMsPerEvent: round((Math.max(0, projectorCpu - idleCores * seconds) * 1000) / Math.max(1, applied), 2),
            projectorsIdleCpuPct: round(idleCores * 100, 1),
            databaseCpuMsPerPortUp: round(((postgresCpuSeconds() - before.dbCpu) * 1000) / Math.max(1, propagation.samples), 2),
            apiCpuMsPerPortUp: round((apiCpu * 1000) / Math.max(1, propagation.samples), 2),
            propagation,
          };
          runs.push(run);
          log(
            `scale-out ${apis} API / ${projectors} l2pop: ${run.eventsPerSecond} events/s applied (${applied} of ${appended} appended), ` +
              `shares ${instances.map((i) => i.share).join('/')} (partitions ${instances.map((i) => i.partitions).join('/')}), hot state hits ${instances.map((i) => i.hotStateHitRatio).join('/')}, projector CPU ${run.projectorCpuMsPerEvent} ms/event (${run.projectorBusyCpuMsPerEvent} above idle ${run.projectorsIdleCpuPct}%), ` +
              `PostgreSQL ${run.databaseCpuMsPerPortUp} ms/port-up, API ${run.apiCpuMsPerPortUp} ms/port-up, ` +
              `p99 ${propagation.allHostsMs.p99} ms at ${propagation.portUpsPerSecond} port-ups/s`,
          );
        } finally {
          w.close();
          await topology.stop();
        }
        if (runs.length === 1) profiles = summariseProcessProfiles(profileDir, `${apis} API / ${projectors} l2pop, ${o.hosts} hosts`);
      }
    }
  } finally {
    await broker.stop();
    removeDir(profileDir);
  }
  return {
    figures: { hosts: o.hosts, runs, profiles },
    notes: [
      `${o.hosts} hosts, every agent watching (entry deltas), spread over the l2pop-projector instances; ${o.samples} port-ups (create bound + up) ${o.load} in flight through the API instances in turn, on networks picked evenly.`,
      'One broker (scripts/kafka, 12 partitions), PostgreSQL event store and read model, every process on this machine: on 2 cores the instances share the same CPUs, so totals cannot grow with instances; the split, the duplicates and the per-event cost are what this measures.',
      "Applied counts are the projectors' controlplane_projector_applied_events_total over the measured stretch (after a settle), appended is the store's event count over the same stretch.",
    ],
  };
}
