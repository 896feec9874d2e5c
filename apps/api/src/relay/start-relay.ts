import type { KafkaConfig } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { EventRelay, type KafkaLogger, type RelayMetrics } from '@cp/store';
import type { WriteSide } from '@cp/write-model';
import type { RelaySettings } from './relay-config';

export interface StartRelayOptions extends Partial<Omit<RelaySettings, 'brokers'>> {
  brokers: string[] | string;
  logger?: KafkaLogger;
  /** Registers the relay's metrics here (the process's /metrics registry). */
  registry?: Registry;
  /** Merged into the kafkajs client config (TLS, SASL for a real cluster). */
  kafka?: Partial<KafkaConfig>;
}

/**
 * Starts the relay from this API process's event store to Kafka (distributed
 * mode). Nest-free: main creates it after the write side and stops it on
 * SIGTERM before closing the database. Returns at once, even with the broker
 * down: appends stay durable in the store and the relay catches up later.
 */
export async function startRelay(ws: WriteSide, opts: StartRelayOptions): Promise<EventRelay> {
  const relay = new EventRelay(ws.store, {
    brokers: opts.brokers,
    clientId: opts.clientId ?? 'controlplane-api-relay',
    topic: opts.topic,
    partitions: opts.partitions,
    replicationFactor: opts.replicationFactor,
    batchSize: opts.batchSize,
    pollMs: opts.pollMs,
    logger: opts.logger,
    kafka: opts.kafka,
    metrics: opts.registry ? relayMetrics(opts.registry) : undefined,
  });
  if (opts.registry) relayAge(opts.registry, ws, relay);
  await relay.start();
  return relay;
}

/** How far behind in time: the age of the oldest stored event not yet published (0 when caught up). */
function relayAge(registry: Registry, ws: WriteSide, relay: EventRelay): void {
  new Gauge({
    name: 'controlplane_relay_lag_seconds',
    help: 'Age of the oldest stored event not yet acknowledged by Kafka (0 when caught up)',
    registers: [registry],
    async collect() {
      const [next] = await ws.store.readAll(relay.position, 1);
      this.set(next ? Math.max(0, (Date.now() - Date.parse(next.metadata.occurredAt)) / 1000) : 0);
    },
  });
}

/** Prometheus series for the relay; the lag gauge is what to alert on. */
export function relayMetrics(registry: Registry): RelayMetrics {
  const published = new Counter({
    name: 'controlplane_relay_published_events_total',
    help: 'Events acknowledged by Kafka (a re-sent tail after a crash counts again)',
    registers: [registry],
  });
  const position = new Gauge({
    name: 'controlplane_relay_published_position',
    help: 'Last event store position acknowledged by Kafka',
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'controlplane_relay_lag_events',
    help: 'Events stored but not yet published (head position minus published position)',
    registers: [registry],
  });
  return {
    published: (count, at) => {
      published.inc(count);
      position.set(at);
    },
    lag: (events) => lag.set(events),
  };
}
