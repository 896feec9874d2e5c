import { latestResult, type Machine, type Result } from './lib/machine';
import type { ProfileSummary } from './lib/profile';
import type { ApiFigures } from './scenarios/api';
import type { FanoutFigures, FanoutSize } from './scenarios/fanout';
import type { HaRoutersFigures } from './scenarios/ha-routers';
import type { ProjectionFigures } from './scenarios/projection';
import type { PropagationFigures } from './scenarios/propagation';
import type { ScaleOutFigures } from './scenarios/scale-out';
import { fmt } from './lib/svg';

/** The latest result of every scenario, and the README's target rows derived from them. */
export interface Latest {
  api: Result<ApiFigures> | null;
  propagation: Result<PropagationFigures> | null;
  projection: Result<ProjectionFigures> | null;
  fanout: Result<FanoutFigures> | null;
  haRouters: Result<HaRoutersFigures> | null;
  scaleOut: Result<ScaleOutFigures> | null;
}

export function loadLatest(): Latest {
  return {
    api: latestResult<ApiFigures>('api'),
    propagation: latestResult<PropagationFigures>('propagation'),
    projection: latestResult<ProjectionFigures>('projection'),
    fanout: latestResult<FanoutFigures>('fanout'),
    haRouters: latestResult<HaRoutersFigures>('ha-routers'),
    scaleOut: latestResult<ScaleOutFigures>('scale-out'),
  };
}

export interface TargetRow {
  what: string;
  target: string;
  measured: string;
  status: 'met' | 'missed' | 'not measured' | 'measured';
}

const n = (v: number) => v.toLocaleString('en-US');
/** Milliseconds as people read them: one decimal below 10, whole above. */
const ms = (v: number) => (v < 10 ? v.toFixed(1) : String(Math.round(v)));

export function targetRows(l: Latest): TargetRow[] {
  const rows: TargetRow[] = [];
  if (l.api) {
    const parts = l.api.figures.runs.map((r) => {
      const best = r.sizes
        .flatMap((s) => s.levels.map((lv) => ({ s: s.ports, lv })))
        .sort((a, b) => b.lv.opsPerSecond - a.lv.opsPerSecond)[0];
      return `${r.sync}: ${n(best.lv.opsPerSecond)} (c=${best.lv.concurrency}, ${n(best.s)} ports)`;
    });
    rows.push({
      what: 'Port operations/s through the API (create + bind + up, embedded, best level)',
      target: '≥ 2,000',
      measured: parts.join('; '),
      status: l.api.figures.bestOpsPerSecond >= 2000 ? 'met' : 'missed',
    });
  } else rows.push({ what: 'Port operations/s through the API', target: '≥ 2,000', measured: '—', status: 'not measured' });

  const prop = l.propagation?.figures.sizes ?? [];
  if (prop.length) {
    const seq = prop.map((s) => `${n(s.hosts)} hosts: ${ms(s.sequential.allHostsMs.p50)} / ${ms(s.sequential.allHostsMs.p99)}`).join('; ');
    const loaded = prop
      .filter((s) => s.loaded)
      .map((s) => `${n(s.hosts)} hosts: ${ms(s.loaded!.allHostsMs.p99)}`)
      .join('; ');
    const worst = Math.max(...prop.map((s) => s.sequential.allHostsMs.p99));
    const worstLoaded = Math.max(0, ...prop.filter((s) => s.loaded).map((s) => s.loaded!.allHostsMs.p99));
    rows.push({
      what: "Propagation p50 / p99 ms, embedded: port-up ack → every affected host's watch stream (one port-up at a time)",
      target: 'p99 ≤ 50 ms',
      measured: seq,
      status: worst <= 50 ? 'met' : 'missed',
    });
    if (loaded)
      rows.push({
        what: `Propagation p99 ms, embedded, ${prop[0].loaded?.inFlight ?? ''} port-ups in flight`,
        target: 'p99 ≤ 50 ms',
        measured: loaded,
        status: worstLoaded <= 50 ? 'met' : 'missed',
      });
  } else rows.push({ what: 'Propagation p99, embedded', target: '≤ 50 ms', measured: '—', status: 'not measured' });
  const kafka = l.propagation?.figures.kafka ?? [];
  if (kafka.length) {
    const worst = Math.max(...kafka.map((s) => Math.max(s.sequential.allHostsMs.p99, s.loaded?.allHostsMs.p99 ?? 0)));
    const measured = kafka
      .map(
        (s) =>
          `${n(s.hosts)} hosts: ${ms(s.sequential.allHostsMs.p50)} / ${ms(s.sequential.allHostsMs.p99)}${s.loaded ? ` (p99 with ${s.loaded.inFlight} in flight: ${ms(s.loaded.allHostsMs.p99)})` : ''}`,
      )
      .join('; ');
    rows.push({
      what: 'Propagation p50 / p99 ms via Kafka (API + relay → topic → l2pop-projector)',
      target: 'p99 ≤ 250 ms',
      measured,
      status: worst <= 250 ? 'met' : 'missed',
    });
  } else {
    const why = l.propagation?.notes.find((x) => x.startsWith('Kafka transport not measured')) ?? 'not run';
    rows.push({ what: 'Propagation p99 via Kafka (distributed mode)', target: '≤ 250 ms', measured: why, status: 'not measured' });
  }

  const sizes = l.projection?.figures.sizes ?? [];
  const million = sizes.find((s) => s.targetEvents >= 1_000_000) ?? sizes[sizes.length - 1];
  for (const kind of ['l2', 'l3'] as const) {
    if (!million) {
      rows.push({ what: `1M-event rebuild, ${kind.toUpperCase()}`, target: '≤ 20 s', measured: '—', status: 'not measured' });
      continue;
    }
    const r = million[kind];
    const measured = r.complete
      ? `${r.seconds.toFixed(1)} s for ${n(million.events)} events (${n(r.eventsPerSecond)} events/s), RSS ${r.rssMiB} MiB`
      : `~${n(r.fullRebuildSeconds)} s extrapolated (${n(r.position)} of ${n(million.events)} events in ${r.seconds} s, ${n(r.eventsPerSecond)} events/s), RSS ${r.rssMiB} MiB`;
    rows.push({
      what: `${n(million.events)}-event full rebuild, ${kind.toUpperCase()} read model`,
      target: '≤ 20 s',
      measured,
      status: r.fullRebuildSeconds <= 20 && million.events >= 1_000_000 ? 'met' : 'missed',
    });
  }

  const fromSnapshot = million?.l2FromSnapshot;
  if (million && fromSnapshot) {
    rows.push({
      what: `${n(million.events + million.tail)}-event L2 rebuild from a snapshot ${n(million.tail)} events back (restore + catch-up), against the full rebuild`,
      target: '—',
      measured: `${fromSnapshot.totalSeconds.toFixed(2)} s (restore ${fromSnapshot.restoreSeconds} s, ${fromSnapshot.snapshotMiB} MiB; snapshot taken online in ${fromSnapshot.snapshotSeconds} s) vs ${million.l2.fullRebuildSeconds.toFixed(1)} s`,
      status: 'measured',
    });
  }
  if (million) {
    const rate = (r: { eventsPerSecond: number } | undefined) => (r ? n(r.eventsPerSecond) : '—');
    rows.push({
      what: `Projection events/s at ${n(million.events)} events: rebuild / catch-up of ${n(million.tail)} appended events (batches of 500)`,
      target: '—',
      measured: `L2 ${rate(million.l2)} / ${rate(million.l2CatchUp)}; L3 ${rate(million.l3)} / ${rate(million.l3CatchUp)}`,
      status: 'measured',
    });
  }
  const fan = l.fanout?.figures.sizes ?? [];
  if (fan.length) {
    // Agents ask for entry deltas; results from before they existed have the lists format only.
    const delivered = (d: FanoutSize['portUp']) => d.entryFormat ?? d;
    const ours = fan.map((s) => delivered(s.portUp).bytes.mean);
    const flat = Math.max(...ours) <= 1.1 * Math.min(...ours);
    rows.push({
      what: 'Bytes to agents per port-up (mean) as hosts grow — ours vs Neutron l2pop fan-out',
      target: 'independent of hosts',
      measured: fan
        .map(
          (s) =>
            `${n(s.hosts)} hosts: ${fmt(delivered(s.portUp).bytes.mean)}B to ${Math.round(s.portUp.notifications.mean)} hosts vs ${fmt(s.baseline.bytes.mean)}B to ${n(s.baseline.notifications.mean)}`,
        )
        .join('; '),
      status: flat ? 'met' : 'missed',
    });
    const largest = fan[fan.length - 1];
    const { portUp: lu, create: lc } = largest;
    if (lu.entryFormat && lu.entries && lc.entryFormat && lc.entries) {
      // Each woken host needs at least one entry: within 2x of the minimum is at most two per woken host.
      const perHost = (d: FanoutSize['portUp'], entries: number) => entries / Math.max(1, d.notifications.mean);
      const [u, c] = [lu, lc];
      const worst = Math.max(perHost(u, lu.entryFormat.entries.mean), perHost(c, lc.entryFormat.entries.mean));
      rows.push({
        what: `Entries (FDB pairs, flood IPs, set members) per woken host, ${n(largest.hosts)} hosts: entry deltas vs whole lists`,
        target: '≤ 2 per woken host (within 2× of the minimum)',
        measured:
          `port-up ${fixed(perHost(u, lu.entryFormat.entries.mean))} (${fmt(lu.entryFormat.bytes.mean)}B in all) vs ${fixed(perHost(u, lu.entries.mean))} (${fmt(u.bytes.mean)}B); ` +
          `port create (ipset members) ${fixed(perHost(c, lc.entryFormat.entries.mean))} (${fmt(lc.entryFormat.bytes.mean)}B) vs ${fixed(perHost(c, lc.entries.mean))} (${fmt(c.bytes.mean)}B)`,
        status: worst <= 2 ? 'met' : 'missed',
      });
    }
  } else rows.push({ what: 'Bytes per port-up vs hosts', target: 'independent of hosts', measured: '—', status: 'not measured' });
  const ha = l.haRouters?.figures;
  if (ha) {
    rows.push({
      what: `HA routers (${n(ha.routers)} on ${ha.hosts} hosts): every interface port ACTIVE after keepalived's states are reported`,
      target: 'all ACTIVE',
      measured: `${ha.activePorts} / ${ha.interfacePorts} ACTIVE ${ha.activeSeconds.toFixed(1)} s after the first of ${ha.haReportCalls} report calls (one per host); a failover of ${ha.failover.routers} routers: their ports ACTIVE on the new masters in ${ha.failover.seconds.toFixed(1)} s`,
      status: ha.activePorts === ha.interfacePorts && ha.failover.activePorts === ha.interfacePorts ? 'met' : 'missed',
    });
  } else rows.push({ what: 'HA routers: every interface port ACTIVE', target: 'all ACTIVE', measured: '—', status: 'not measured' });
  rows.push(scaleOutRow(l));
  return rows;
}

export function machineLine(m: Machine | undefined): string {
  if (!m) return 'no results yet';
  const tree = m.sourceHash ? ` + uncommitted changes ${m.sourceHash}` : m.dirty ? ' (outside apps/libs: uncommitted changes)' : '';
  return `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, commit ${m.commit.slice(0, 10)}${tree}`;
}

export function profileLines(title: string, p: ProfileSummary | undefined): string[] {
  if (!p) return [];
  return [
    `**${title}** (${p.file}, ${p.seconds} s sampled). Self time by area: ${p.byArea
      .slice(0, 6)
      .map((a) => `${a.area} ${a.pct}%`)
      .join(', ')}.`,
    '',
    'Top frames by self time: ' +
      p.topSelf
        .slice(0, 6)
        .map((f) => `\`${f.frame}\` ${f.selfPct}%`)
        .join(', ') +
      '.',
    '',
  ];
}

function fixed(v: number): string {
  return v.toFixed(1);
}

/** The scale-out target: two projector instances each apply 40–60% of the events, none applied twice. */
function scaleOutRow(l: Latest): TargetRow {
  const what = 'Scale-out via Kafka: events applied per l2pop-projector instance (share), applied twice, projector CPU per event';
  const so = l.scaleOut?.figures;
  if (!so || so.runs.length === 0) return { what, target: '2 instances: 40–60% each, none twice', measured: '—', status: 'not measured' };
  const line = (r: ScaleOutFigures['runs'][number]) =>
    `${r.apis} API / ${r.projectors} l2pop: ${r.instances.map((i) => `${Math.round(i.share * 100)}%`).join(' ')}, ${r.appliedTwice} twice, ` +
    `projector CPU ${r.projectorBusyCpuMsPerEvent} ms/event above idle, p99 ${ms(r.propagation.allHostsMs.p99)} ms at ${r.propagation.portUpsPerSecond} port-ups/s`;
  const pairs = so.runs.filter((r) => r.projectors === 2);
  const met =
    pairs.length > 0 &&
    so.runs.every((r) => r.appliedTwice === 0) &&
    pairs.every((r) => r.instances.every((i) => i.share >= 0.4 && i.share <= 0.6));
  return {
    what: `${what}, ${n(so.hosts)} hosts, 16 in flight`,
    target: '2 instances: 40–60% each, none twice',
    measured: so.runs.map(line).join('; '),
    status: met ? 'met' : 'missed',
  };
}
