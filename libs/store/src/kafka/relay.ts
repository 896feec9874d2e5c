import type { EventStore } from '../event-store';
import {
  DEFAULT_PARTITIONS,
  DEFAULT_TOPIC,
  encodeEvent,
  kafkaClient,
  silentLogger,
  type KafkaConnection,
  type KafkaLogger,
} from './kafka-client';
import { RelayProducer } from './relay-producer';
import { RelayOffsetTable } from './tables';

export interface RelayMetrics {
  /** `count` events were acknowledged by Kafka; `position` is now the last published one. */
  published?(count: number, position: number): void;
  /** Events stored but not yet acknowledged by Kafka (head - published). */
  lag?(events: number): void;
}

export interface RelayOptions extends KafkaConnection {
  topic?: string;
  /** Used only when the relay creates the topic. */
  partitions?: number;
  replicationFactor?: number;
  /** Row in relay_offsets; defaults to the topic, so one store can feed several topics. */
  name?: string;
  batchSize?: number;
  /** Other writer processes do not notify this one: poll the store this often. */
  pollMs?: number;
  backoffMs?: { min: number; max: number };
  metrics?: RelayMetrics;
  logger?: KafkaLogger;
  /** More unpublished events than this is one warn line (and back under half of it, one info line); 10,000 by default. */
  behindWarnEvents?: number;
}

/**
 * Publishes every stored event, in position order, to the event topic. Only once
 * Kafka acknowledged a batch is its last position recorded in relay_offsets; a
 * crash between the two re-sends that batch, and consumers skip what they have by
 * position. Failures never skip ahead: the same batch is retried with backoff, on
 * a fresh producer. See docs/distributed-mode.md.
 */
export class EventRelay {
  readonly topic: string;
  private readonly producer: RelayProducer;
  private readonly name: string;
  private readonly log: KafkaLogger;
  private published = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private aborted = false;
  private failures = 0;
  private behind = false;
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private waiters: Array<{ position: number; resolve: () => void }> = [];

  constructor(
    readonly store: EventStore,
    private readonly options: RelayOptions,
  ) {
    this.topic = options.topic ?? DEFAULT_TOPIC;
    this.name = options.name ?? this.topic;
    this.log = options.logger ?? silentLogger;
    const spec = {
      topic: this.topic,
      partitions: options.partitions ?? DEFAULT_PARTITIONS,
      replicationFactor: options.replicationFactor ?? 1,
    };
    this.producer = new RelayProducer(kafkaClient(options, 'controlplane-relay'), spec, this.log);
  }

  /** Last position Kafka acknowledged (and this relay recorded). */
  get position(): number {
    return this.published;
  }

  /** Resumes after the recorded position. Does not wait for Kafka: the API must start while the broker is down. */
  async start(): Promise<void> {
    await this.store.db.ensureTables([RelayOffsetTable]);
    const row = await this.store.db.get<{ position: number | string }>('SELECT position FROM relay_offsets WHERE relay = ?', [this.name]);
    this.published = Number(row?.position ?? 0);
    this.unsubscribe = this.store.onAppended(() => this.kick());
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 1_000);
    this.kick();
  }

  /**
   * Graceful: finishes the batch in flight. `abrupt` behaves like a crash: whatever
   * is in flight is neither waited for nor recorded (tests inject faults with it).
   */
  async stop(opts: { abrupt?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.aborted = opts.abrupt === true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.wake?.();
    if (!this.aborted) await this.running;
    await this.producer.reset();
  }

  /** Resolves once everything up to `position` is acknowledged by Kafka. */
  waitForPublished(position: number, timeoutMs = 30_000): Promise<void> {
    if (this.published >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay at ${this.published}, not ${position}, after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ position, resolve: () => (clearTimeout(timer), resolve()) });
      this.kick();
    });
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Records what Kafka acknowledged; never moves backwards (two relays at once only cost duplicates). */
  protected async recordPublished(position: number): Promise<void> {
    await this.store.db.run(
      `INSERT INTO relay_offsets (relay, position) VALUES (?, ?)
       ON CONFLICT (relay) DO UPDATE SET position = CASE WHEN excluded.position > relay_offsets.position
         THEN excluded.position ELSE relay_offsets.position END`,
      [this.name, position],
    );
  }

  private async loop(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    while (!this.stopped) {
      try {
        const events = await this.store.readAll(this.published, batchSize);
        if (events.length === 0) break;
        await this.producer.send(events.map(encodeEvent));
        if (this.aborted) return;
        const last = events[events.length - 1].metadata.position!;
        await this.recordPublished(last);
        this.published = last;
        if (this.failures > 0) this.log.info({ position: last, failures: this.failures }, 'relay resumed publishing');
        this.failures = 0;
        this.options.metrics?.published?.(events.length, last);
        this.releaseWaiters();
        await this.reportLag();
        if (events.length < batchSize) break;
      } catch (err) {
        if (this.stopped) return;
        this.failures += 1;
        const { min, max } = this.options.backoffMs ?? { min: 200, max: 5_000 };
        const delay = Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
        this.log.warn(
          { err, position: this.published, failures: this.failures, retryInMs: delay },
          'relay: publishing failed, retrying the same batch',
        );
        await this.producer.reset();
        await this.reportLag(); // writes go on while Kafka is away: say when the backlog grows past the limit
        await this.sleep(delay);
      }
    }
    await this.reportLag();
  }

  private async reportLag(): Promise<void> {
    if (this.aborted) return;
    try {
      const lag = Math.max(0, (await this.store.headPosition()) - this.published);
      this.options.metrics?.lag?.(lag);
      const limit = this.options.behindWarnEvents ?? 10_000;
      if (!this.behind && lag > limit) {
        this.behind = true;
        this.log.warn({ lag, position: this.published }, `relay behind by ${lag} events (more than ${limit})`);
      } else if (this.behind && lag <= limit / 2) {
        this.behind = false;
        this.log.info({ lag, position: this.published }, `relay caught up: ${lag} events behind`);
      }
    } catch {
      // A metric is not worth failing the relay for; the next batch reports again.
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private releaseWaiters(): void {
    const ready = this.waiters.filter((w) => w.position <= this.published);
    this.waiters = this.waiters.filter((w) => w.position > this.published);
    for (const w of ready) w.resolve();
  }
}
