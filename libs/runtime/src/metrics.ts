import type { onResponseHookHandler } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventStore, KafkaProjector, ProjectorMetrics, StoreProjector } from '@cp/store';

/** One registry per process, with Node's process metrics (memory, event loop lag, GC). */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * API latency per route pattern (`/v2.0/ports/:id`, not the raw URL, so the
 * label set stays bounded), method and status. Event streams are left out: their
 * "latency" is how long an agent stayed connected.
 */
export function httpMetrics(registry: Registry) {
  const histogram = new Histogram({
    name: 'controlplane_http_request_duration_seconds',
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Fastify times each request itself (reply.elapsedTime), from its arrival to the response's end.
  const hook: onResponseHookHandler = (request, reply, done) => {
    if (!String(reply.raw.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
      const route = request.routeOptions.url ?? 'unmatched';
      histogram.observe({ route, method: request.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    }
    done();
  };
  return hook;
}

/** Per registry: catch-ups run when the applied counter is scraped (runners that only expose a checkpoint). */
const appliedSyncs = new WeakMap<Registry, Array<() => void>>();

function applied(registry: Registry): Counter<'projection' | 'partition'> {
  const existing = registry.getSingleMetric('controlplane_projector_applied_events_total') as
    Counter<'projection' | 'partition'> | undefined;
  if (existing) return existing;
  const syncs: Array<() => void> = [];
  appliedSyncs.set(registry, syncs);
  return new Counter({
    name: 'controlplane_projector_applied_events_total',
    help: 'Events taken into a read model (rate() gives events applied per second); partition "all" in embedded mode',
    labelNames: ['projection', 'partition'],
    registers: [registry],
    collect() {
      for (const sync of syncs) sync();
    },
  });
}

type Reader<L extends string> = (set: (labels: Record<L, string>, value: number) => void) => Promise<void>;
const readerGauges = new WeakMap<Registry, Map<string, Reader<string>[]>>();

/**
 * A gauge of the registry fed by readers, one per projector the process runs,
 * each asked at scrape time; a failing read keeps the last value rather than
 * failing the scrape. The gauge is made by the first reader of its name.
 */
function addReader<L extends string>(
  registry: Registry,
  gauge: { name: string; help: string; labelNames: readonly L[] },
  read: Reader<L>,
): void {
  let byName = readerGauges.get(registry);
  if (!byName) readerGauges.set(registry, (byName = new Map<string, Reader<string>[]>()));
  let readers = byName.get(gauge.name);
  if (!readers) {
    const list: Reader<string>[] = (readers = []);
    byName.set(gauge.name, list);
    const g: Gauge<string> = new Gauge({
      ...gauge,
      labelNames: [...gauge.labelNames],
      registers: [registry],
      async collect() {
        for (const r of list) await r((labels, value) => g.set(labels, value)).catch(() => undefined);
      },
    });
  }
  readers.push(read);
}

const LAG_EVENTS = {
  name: 'controlplane_projector_lag_events',
  help: 'Events on the topic (or in the store, partition "all") not yet in the read model; group-wide in distributed mode',
  labelNames: ['projection', 'partition'] as const,
};

const LAG_SECONDS = {
  name: 'controlplane_projector_lag_seconds',
  help: 'How far behind in time a read model is: the age of the oldest event not applied yet (embedded), or of the last applied message on a partition with messages left (Kafka); 0 when caught up',
  labelNames: ['projection'] as const,
};

/**
 * Distributed mode: the KafkaProjector's hooks count applied events per
 * partition; lag is read from the shared checkpoints against the topic's
 * high watermarks, so it covers partitions other instances hold.
 */
export function kafkaProjectorMetrics(registry: Registry, projection: string, projector: () => KafkaProjector | null): ProjectorMetrics {
  const counter = applied(registry);
  addReader(registry, LAG_EVENTS, async (set) => {
    const p = projector();
    if (!p) return;
    for (const [partition, lag] of await withTimeout(p.lag(), 2_000)) set({ projection, partition: String(partition) }, lag);
  });
  // How far behind in time, over the partitions this instance applied: a partition with messages left
  // is as late as the last one it applied was produced (an upper bound on the oldest unapplied one's age,
  // and it grows while the partition is stuck); one caught up is 0.
  const lastProduced = new Map<number, number>();
  addReader(registry, LAG_SECONDS, async (set) => {
    const p = projector();
    if (!p) return;
    let seconds = 0;
    for (const [partition, lag] of await withTimeout(p.lag(), 2_000)) {
      const at = lastProduced.get(partition);
      if (lag > 0 && at !== undefined) seconds = Math.max(seconds, (Date.now() - at) / 1000);
    }
    set({ projection }, seconds);
  });
  return {
    applied: (partition, count, lastProducedAt) => {
      counter.inc({ projection, partition: String(partition) }, count);
      if (Number.isFinite(lastProducedAt)) lastProduced.set(partition, lastProducedAt);
    },
  };
}

/**
 * Watch streams open per feed (`l2`, `l3`, `dhcp`): the agents connected to this
 * process. A drop to zero on a projector instance that should have agents means
 * the load balancer or the agents lost it.
 */
export function feedMetrics(registry: Registry, feeds: Record<string, { readonly openStreams: number }>): void {
  let list = feedLists.get(registry);
  if (!list) {
    const l: Array<[string, { readonly openStreams: number }]> = (list = []);
    feedLists.set(registry, l);
    const gauge: Gauge<'feed'> = new Gauge({
      name: 'controlplane_watch_streams',
      help: 'Agent watch streams open on this process, per feed',
      labelNames: ['feed'],
      registers: [registry],
      collect() {
        for (const [feed, f] of l) gauge.set({ feed }, f.openStreams);
      },
    });
  }
  list.push(...Object.entries(feeds));
}
const feedLists = new WeakMap<Registry, Array<[string, { readonly openStreams: number }]>>();

/** A runner tailing the event store (embedded projectors, the L3 scheduler): its checkpoint's progress is what it applied. */
export function storeProjectorMetrics(
  registry: Registry,
  projector: Pick<StoreProjector, 'checkpoint'>,
  name: string,
  head: () => Promise<number>,
  store?: Pick<EventStore, 'readAll'>,
): void {
  const counter = applied(registry);
  if (store) {
    // How far behind in time: the age of the oldest event it has not applied (0 when caught up).
    addReader(registry, LAG_SECONDS, async (set) => {
      const [next] = await store.readAll(projector.checkpoint, 1);
      set({ projection: name }, next ? Math.max(0, (Date.now() - Date.parse(next.metadata.occurredAt)) / 1000) : 0);
    });
  }
  const labels = { projection: name, partition: 'all' };
  let seen = projector.checkpoint;
  counter.inc(labels, 0);
  appliedSyncs.get(registry)!.push(() => {
    const at = projector.checkpoint;
    if (at > seen) counter.inc(labels, at - seen);
    seen = Math.max(seen, at);
  });
  addReader(registry, LAG_EVENTS, async (set) => set(labels, Math.max(0, (await head()) - projector.checkpoint)));
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))),
  ]);
}
