import {
  agentEvents,
  networkEvents,
  portActivated,
  portCreated,
  portDeactivated,
  portDeleted,
  portRebound,
  projectEvents,
  type PortSpec,
  type Stamped,
} from './bodies';
import { buildLayout, sizeWeightedPicker, type Layout, type ScenarioParams } from './layout';
import { PortFactory } from './ports';
import { Rng } from './rng';
import { routerEvents } from './routers';

export interface StreamOptions {
  /** Share of ports that later move host, bounce down/up, change groups or are deleted. */
  churn: number;
  /** Port-ups trail their creates by up to this many other ports (agents report asynchronously). */
  activationLag: number;
}
export const DEFAULT_STREAM: StreamOptions = { churn: 0.2, activationLag: 32 };

export interface Live {
  spec: PortSpec;
  host: string;
}

/** Agents, projects with groups, networks and HA routers: everything before the first VM port. */
export function* setupEvents(layout: Layout): Generator<Stamped> {
  for (let i = 0; i < layout.hosts.length; i++) yield* agentEvents(layout.hosts[i], i);
  const l3Load = new Map<number, number>();
  for (const p of layout.projects) {
    yield* projectEvents(p);
    for (const n of p.networks) yield* networkEvents(layout.networks[n], layout);
    if (p.router) yield* routerEvents(layout, p, l3Load);
  }
}

/**
 * Ports arriving in a cloud: every network's ports created on its hosts in a
 * shuffled order, their ups trailing behind (agents report asynchronously).
 * Resumable, so a benchmark can grow the same cloud in steps.
 */
export class Growth {
  readonly live: Live[] = [];
  private readonly slots: number[] = [];
  private readonly placed = new Map<number, number>();
  private readonly pending: Live[] = [];
  private next = 0;
  readonly factory: PortFactory;

  constructor(
    private readonly layout: Layout,
    private readonly rng: Rng,
    private readonly options: StreamOptions = DEFAULT_STREAM,
  ) {
    this.factory = new PortFactory(layout, rng);
    for (const n of layout.networks) for (let k = 0; k < n.size; k++) this.slots.push(n.index);
    for (let i = this.slots.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [this.slots[i], this.slots[j]] = [this.slots[j], this.slots[i]];
    }
  }

  get created(): number {
    return this.next;
  }

  /** Creates ports until `total` exist (or the layout is full); ups may lag until `flush`. */
  *grow(total: number): Generator<Stamped> {
    while (this.next < Math.min(total, this.slots.length)) {
      const net = this.layout.networks[this.slots[this.next++]];
      const k = this.placed.get(net.index) ?? 0;
      this.placed.set(net.index, k + 1);
      const host = this.layout.hosts[net.span[k % net.span.length]].name;
      const port = { spec: this.factory.next(net, host), host };
      yield* portCreated(port.spec);
      this.pending.push(port);
      this.live.push(port);
      if (this.pending.length > this.options.activationLag) yield up(this.pending.splice(this.rng.int(this.pending.length), 1)[0]);
    }
  }

  *flush(): Generator<Stamped> {
    for (const p of this.pending.splice(0)) yield up(p);
  }
}

/** The cloud's setup, then every port `growth` places, created and brought up. */
export function* grownCloud(layout: Layout, growth: Growth): Generator<Stamped> {
  yield* setupEvents(layout);
  yield* growth.grow(Infinity);
  yield* growth.flush();
}

/**
 * The whole history of a cloud, deterministic in the seed: setup, ports, then
 * churn. Lazily generated, so a million events never sit in memory at once.
 * With `steady`, it never ends: after the history comes live traffic (new ports
 * where ports are, migrations, bounces, deletes, group changes), for measuring
 * a projector that follows the store rather than rebuilds it.
 */
export function* generateStream(layout: Layout, options: StreamOptions = DEFAULT_STREAM, steady = false): Generator<Stamped> {
  const rng = new Rng(layout.params.seed ^ 0x5eed);
  yield* setupEvents(layout);
  const growth = new Growth(layout, rng, options);
  yield* growth.grow(Infinity);
  yield* growth.flush();
  const live = growth.live;
  const churns = Math.round(live.length * options.churn);
  for (let c = 0; c < churns && live.length > 0; c++) yield* churn(layout, live, rng);
  const pick = sizeWeightedPicker(layout, rng);
  while (steady) {
    const net = pick();
    if (rng.chance(0.3) && growth.factory.hasRoom(net)) {
      const spec = growth.factory.next(net, layout.hosts[net.span[rng.int(net.span.length)]].name);
      const port = { spec, host: spec.host };
      yield* portCreated(spec);
      yield up(port);
      live.push(port);
    } else if (live.length > 0) yield* churn(layout, live, rng);
  }
}

/** One change to a random live port: live migration, down/up bounce, delete, or a group change. */
function* churn(layout: Layout, live: Live[], rng: Rng): Generator<Stamped> {
  const i = rng.int(live.length);
  const port = live[i];
  const ref = refOf(port.spec);
  const r = rng.next();
  if (r < 0.4) {
    // Live migration: bound elsewhere (DOWN), then up on the new host.
    const net = port.spec.network;
    const to = layout.hosts[net.span.length > 1 ? net.span[rng.int(net.span.length)] : rng.int(layout.params.hosts)].name;
    if (to === port.host) return;
    yield portRebound(ref, to, port.host);
    port.host = to;
    yield portActivated(ref, to);
  } else if (r < 0.7) {
    yield portDeactivated(ref, port.host);
    yield portActivated(ref, port.host);
  } else if (r < 0.9) {
    yield portDeleted(ref, port.host);
    live[i] = live[live.length - 1];
    live.pop();
  } else {
    const project = layout.projects[port.spec.network.project];
    const groups = port.spec.groups.includes(project.webSg) ? [project.defaultSg] : [project.defaultSg, project.webSg];
    port.spec.groups = groups;
    yield { streamId: `port:${ref.id}`, body: { type: 'PortUpdated', data: { ...ref, changes: { securityGroups: groups } } } };
  }
}

const refOf = (s: PortSpec) => ({ id: s.id, networkId: s.network.id, projectId: s.projectId });
const up = (p: Live): Stamped => portActivated(refOf(p.spec), p.host);

/**
 * Scenario parameters for a stream of about `events` events: networks from the
 * events per network counted on a small layout, hosts at ~30 VM ports each, and
 * a network node per ~200 compute hosts (at least 3, the HA minimum).
 */
export function paramsForEvents(events: number, base: Partial<ScenarioParams> = {}): ScenarioParams {
  const probeNetworks = 400;
  const layout = buildLayout(sized(probeNetworks, 100, base));
  let perNetwork = 0;
  for (const e of generateStream(layout)) if (!e.body.type.startsWith('Agent')) perNetwork++;
  perNetwork /= probeNetworks;
  const portsPerNetwork = layout.totalPorts / probeNetworks;
  // Each compute host adds two agent events (registered, alive).
  const perNetworkWithHosts = perNetwork + (2 * portsPerNetwork) / 30;
  const fit = (networks: number) => sized(networks, Math.max(50, Math.round((portsPerNetwork * networks) / 30)), base);
  const first = fit(Math.max(10, Math.round(events / perNetworkWithHosts)));
  // Large networks are rare, so a small cloud strays from the mean: correct once with the real count.
  let actual = 0;
  for (const _ of generateStream(buildLayout(first))) actual++;
  // 2% over, so that `take` cuts the stream to the exact size rather than falling short.
  return fit(Math.max(10, Math.round((1.02 * first.networks * events) / actual)));
}

/**
 * The next `n` items of an iterator, leaving it open (a for-of that stops early
 * would close it): a prefix of a history is a valid history, so streams are cut
 * to exact sizes, and what follows is still there for the next call.
 */
export function* take<T>(items: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) {
    const r = items.next();
    if (r.done) return;
    yield r.value;
  }
}

function sized(networks: number, hosts: number, base: Partial<ScenarioParams>): ScenarioParams {
  return {
    seed: 42,
    networksPerProject: 3,
    routerRatio: 0.5,
    maxSpan: 48,
    ...base,
    networks,
    hosts,
    networkNodes: Math.max(3, Math.round(hosts / 200)),
  };
}
