import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, removeDir } from '../lib/control-plane';
import { Http, pool } from '../lib/http';
import { summariseProcessProfiles, type ProfileSummary } from '../lib/profile';
import type { Stamped } from '../scenario/bodies';
import { msSince, round, summarise, type Summary } from '../lib/stats';
import { Growth, grownCloud } from '../scenario/generate';
import { buildLayout, sizeWeightedPicker, type Layout } from '../scenario/layout';
import { Rng } from '../scenario/rng';
import { distributed, embedded, startBroker, type Broker, type Topology } from './propagation-topology';
import { Watchers } from './propagation-watch';

export interface PropagationOptions {
  hosts: number[];
  samples: number;
  load: number;
  transport: 'embedded' | 'kafka' | 'both';
}
export interface PropagationRun {
  /** Port-ups in flight: 1 = one at a time. */
  inFlight: number;
  samples: number;
  /** Ack of the port-up -> the last affected host's stream delivered the entry. */
  allHostsMs: Summary;
  /** Every (port-up, affected host) delivery. */
  perHostMs: Summary;
  affectedHosts: Summary;
  missing: number;
  portUpsPerSecond: number;
}
export interface PropagationSize {
  hosts: number;
  networks: number;
  ports: number;
  sequential: PropagationRun;
  loaded?: PropagationRun;
  /** CPU of the process serving the watch streams while every agent watches and nothing changes, % of a core. */
  watchIdleCpuPct: number;
  /** SSE bytes and messages on all streams per sample (create bound + up), sequential run. */
  bytesPerSample: number;
  messagesPerSample: number;
}
export interface PropagationFigures {
  /** Embedded mode (kept under this name for older results). */
  sizes: PropagationSize[];
  /** Via Kafka: API + relay -> topic -> l2pop-projector; absent when not run. */
  kafka?: PropagationSize[];
  /** The largest Kafka run's processes, profiled while measured. */
  kafkaProfiles?: ProfileSummary[];
}

type Members = Map<number, Set<string>>;

async function sample(http: Http, w: Watchers, layout: Layout, members: Members, pick: () => Layout['networks'][number], rng: Rng) {
  let net = pick();
  let host = '';
  let affected: string[] = [];
  for (let tries = 0; tries < 20 && affected.length === 0; tries++) {
    net = pick();
    host = layout.hosts[net.span[rng.int(net.span.length)]].name;
    affected = [...(members.get(net.index) ?? [])].filter((h) => h !== host);
  }
  const project = layout.projects[net.project].id;
  const created = await http.ok<{ port: { id: string; mac_address: string; fixed_ips: Array<{ ip_address: string }> } }>(
    'POST',
    '/v2.0/ports',
    {
      port: {
        network_id: net.id,
        project_id: project,
        'binding:host_id': host,
        device_owner: 'compute:nova',
        device_id: `vm-prop-${rng.int(1e9)}`,
      },
    },
  );
  const tunnelIp = layout.hosts.find((h) => h.name === host)!.tunnelIp;
  // Expect before reporting: the projector may deliver before the ack reaches us.
  const arrivals = w.expect(
    affected,
    { networkId: net.id, tunnelIp, mac: created.port.mac_address, ip: created.port.fixed_ips[0].ip_address },
    10_000,
  );
  await http.ok('POST', `/v1/hosts/${encodeURIComponent(host)}/ports/${created.port.id}/up`);
  const ack = process.hrtime.bigint();
  const times = await arrivals;
  (members.get(net.index) ?? members.set(net.index, new Set()).get(net.index)!).add(host);
  return {
    affected: affected.length,
    deltas: times.filter((t): t is bigint => t !== null).map((t) => Number(t - ack) / 1e6),
    missing: times.filter((t) => t === null).length,
  };
}

export async function measure(
  api: string | readonly string[],
  w: Watchers,
  layout: Layout,
  members: Members,
  samples: number,
  inFlight: number,
  /** Which networks get the port-ups: by default in proportion to their size, as in a real cloud. */
  picker: (layout: Layout, rng: Rng) => () => Layout['networks'][number] = sizeWeightedPicker,
): Promise<PropagationRun> {
  const rng = new Rng(11 + inFlight);
  const pick = picker(layout, rng);
  // With several API instances, each port-up goes to the next one (as a load balancer would).
  const https = (typeof api === 'string' ? [api] : api).map((a) => new Http(a, inFlight));
  let turn = 0;
  const all: number[] = [];
  const per: number[] = [];
  const fan: number[] = [];
  let missing = 0;
  const t0 = process.hrtime.bigint();
  const done = await pool(samples, inFlight, Date.now() + 120_000, async () => {
    const s = await sample(https[turn++ % https.length], w, layout, members, pick, rng);
    per.push(...s.deltas);
    if (s.deltas.length) all.push(Math.max(...s.deltas));
    fan.push(s.affected);
    missing += s.missing;
  });
  const seconds = msSince(t0) / 1000;
  for (const http of https) http.close();
  return {
    inFlight,
    samples: done,
    allHostsMs: summarise(all),
    perHostMs: summarise(per),
    affectedHosts: summarise(fan),
    missing,
    portUpsPerSecond: round(done / seconds, 1),
  };
}

/** One cloud of `hosts` hosts, every host's agent watching: port-ups one at a time, then `load` in flight. */
async function measureSize(
  hosts: number,
  o: PropagationOptions,
  start: (events: Iterable<Stamped>) => Promise<Topology>,
  label: string,
  log: (s: string) => void,
): Promise<PropagationSize> {
  // Networks average ~12 ports: one per 5 hosts gives a few ports per host, as in a lightly used cloud.
  const layout = buildLayout({
    seed: 42,
    hosts,
    networks: Math.max(10, Math.round(hosts / 5)),
    networkNodes: 0,
    networksPerProject: 3,
    routerRatio: 0,
    maxSpan: 48,
  });
  const growth = new Growth(layout, new Rng(5));
  const topology = await start(grownCloud(layout, growth));
  const members: Members = new Map();
  for (const p of growth.live)
    (members.get(p.spec.network.index) ?? members.set(p.spec.network.index, new Set()).get(p.spec.network.index)!).add(p.host);
  const w = new Watchers(topology.watch);
  try {
    await topology.settle();
    await w.open(layout.hosts.map((h) => h.name));
    await topology.settle();
    const cpu0 = cpuSeconds(topology.watchPid);
    await new Promise((r) => setTimeout(r, 5000));
    const watchIdleCpuPct = round(((cpuSeconds(topology.watchPid) - cpu0) / 5) * 100, 1);
    const before = w.totals();
    const sequential = await measure(topology.api, w, layout, members, o.samples, 1);
    const after = w.totals();
    log(
      `propagation ${label} ${hosts} hosts: all-hosts p50/p99 ${sequential.allHostsMs.p50}/${sequential.allHostsMs.p99} ms, affected p50 ${sequential.affectedHosts.p50}, missing ${sequential.missing}`,
    );
    let loaded: PropagationRun | undefined;
    if (o.load > 1) {
      await topology.settle();
      loaded = await measure(topology.api, w, layout, members, o.samples, o.load);
      log(
        `  under ${o.load} in flight: all-hosts p50/p99 ${loaded.allHostsMs.p50}/${loaded.allHostsMs.p99} ms at ${loaded.portUpsPerSecond} port-ups/s, missing ${loaded.missing}`,
      );
    }
    return {
      hosts,
      networks: layout.networks.length,
      ports: growth.live.length,
      sequential,
      loaded,
      watchIdleCpuPct,
      bytesPerSample: Math.round((after.bytes - before.bytes) / Math.max(1, sequential.samples)),
      messagesPerSample: round((after.messages - before.messages) / Math.max(1, sequential.samples), 2),
    };
  } finally {
    w.close();
    await topology.stop();
  }
}

export async function runPropagation(
  o: PropagationOptions,
  log: (s: string) => void,
): Promise<{ figures: PropagationFigures; notes: string[] }> {
  const notes: string[] = [];
  const figures: PropagationFigures = { sizes: [] };
  if (o.transport !== 'kafka') for (const hosts of o.hosts) figures.sizes.push(await measureSize(hosts, o, embedded, 'embedded', log));
  if (o.transport !== 'embedded') {
    let broker: Broker | null = null;
    try {
      broker = await startBroker();
      const b = broker;
      figures.kafka = [];
      const largest = Math.max(...o.hosts);
      // The largest size runs with both processes profiled (a few % of overhead): the slowest run says most.
      const profileDir = mkdtempSync(join(tmpdir(), 'cp-bench-prof-'));
      try {
        for (const hosts of o.hosts) {
          figures.kafka.push(
            await measureSize(
              hosts,
              o,
              (events) => distributed(events, b, { profileDir: hosts === largest ? profileDir : undefined }),
              'kafka',
              log,
            ),
          );
        }
        figures.kafkaProfiles = summariseProcessProfiles(profileDir, `Kafka, ${largest} hosts`);
      } finally {
        removeDir(profileDir);
      }
      notes.push(
        'Kafka: one API (PostgreSQL event store, relay) and one l2pop-projector (consumer group, PostgreSQL read model) with their default settings, a single-node broker from scripts/kafka, all on this machine.',
      );
    } catch (err) {
      // No broker, no PostgreSQL or no distributed mode: say so rather than lose the embedded figures.
      notes.push(`Kafka transport not measured: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
      log(`propagation kafka: not measured (${(err as Error).message.split('\n')[0]})`);
    } finally {
      await broker?.stop();
    }
  }
  return { figures, notes };
}
