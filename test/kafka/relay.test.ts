/**
 * The relay against the real broker: every stored event reaches the topic in
 * position order under its partition key; a relay that dies between Kafka's ack
 * and recording it re-sends at most that tail, and a consumer drops the repeats.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { startRelay } from '../../apps/api/src/relay';
import type { WriteSide } from '@cp/write-model';
import { partitionKey } from '@cp/events';
import { decodeEvent, EventRelay, KafkaProjector, StoreProjector, type Database, type EventStore } from '@cp/store';
import {
  appendEvents,
  brokers,
  CountsProjection,
  cuttableNetwork,
  FAST_GROUP,
  openEventStore,
  openReadModel,
  skipKafka,
  sqliteConfig,
  uniqueTopic,
  waitFor,
} from './support';

const describeKafka = skipKafka ? describe.skip : describe;

interface Seen {
  partition: number;
  offset: number;
  key: string;
  position: number;
  type: string;
  headerType: string;
  eventId: string;
}

/** Reads the whole topic (up to its current high watermarks) with a throwaway group. */
async function readTopic(topic: string): Promise<Seen[]> {
  const kafka = new Kafka({ clientId: 'relay-test-reader', brokers: [brokers()], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const total = (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `reader-${topic}`, maxWaitTimeInMs: 200 });
  const seen: Seen[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen.length}/${total}`)), 30_000);
    void consumer.run({
      eachMessage: ({ partition, message }) => {
        const e = decodeEvent(message.value);
        seen.push({
          partition,
          offset: Number(message.offset),
          key: String(message.key),
          position: e.metadata.position!,
          type: e.type,
          headerType: String(message.headers?.['event-type']),
          eventId: e.metadata.eventId,
        });
        if (seen.length === total) {
          clearTimeout(timer);
          resolve();
        }
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

/** Dies after Kafka acknowledged a batch reaching `crashAt`, before recording it. */
class CrashingRelay extends EventRelay {
  crashAt = Number.POSITIVE_INFINITY;
  crashed!: Promise<number>;
  private signal!: (p: number) => void;
  armCrash(at: number): void {
    this.crashAt = at;
    this.crashed = new Promise((r) => (this.signal = r));
  }
  protected override async recordPublished(position: number): Promise<void> {
    if (position >= this.crashAt) {
      this.signal(position);
      return new Promise(() => undefined); // the process is gone: nothing after this runs
    }
    return super.recordPublished(position);
  }
}

describeKafka('event relay (real broker)', () => {
  let eventsDb: Database;
  let store: EventStore;

  beforeEach(async () => {
    ({ db: eventsDb, store } = await openEventStore());
  });
  afterEach(async () => {
    await eventsDb.close();
  });

  it('publishes every event in position order, keyed by partition key, and records what Kafka acknowledged', async () => {
    const topic = uniqueTopic('relay-order');
    const registry = new Registry();
    await appendEvents(store, 0, 120);
    // Through the API's wiring helper, which only needs the write side's store.
    const relay = await startRelay({ store } as WriteSide, { brokers: brokers(), topic, batchSize: 50, registry });
    const head = await appendEvents(store, 120, 120); // while running: woken by onAppended
    await relay.waitForPublished(head);
    await relay.stop();

    const seen = await readTopic(topic);
    const stored = await store.readAll(0, 10_000);
    expect(seen).toHaveLength(stored.length);
    expect(new Set(seen.map((s) => s.partition)).size).toBeGreaterThan(1);
    const byPosition = new Map(stored.map((e) => [e.metadata.position!, e]));
    for (const s of seen) {
      const e = byPosition.get(s.position)!;
      expect([s.key, s.type, s.headerType, s.eventId]).toEqual([partitionKey(e), e.type, e.type, e.metadata.eventId]);
    }
    // Position order within every partition, and a key never changes partition.
    const partitionOf = new Map<string, number>();
    for (const s of [...seen].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
      expect(partitionOf.get(s.key) ?? s.partition).toBe(s.partition);
      partitionOf.set(s.key, s.partition);
    }
    for (const p of new Set(seen.map((s) => s.partition))) {
      const positions = seen
        .filter((s) => s.partition === p)
        .sort((a, b) => a.offset - b.offset)
        .map((s) => s.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    expect(await eventsDb.get('SELECT position FROM relay_offsets WHERE relay = ?', [topic])).toEqual({ position: head });
    const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0].value;
    expect(await metric('controlplane_relay_published_events_total')).toBe(stored.length);
    expect(await metric('controlplane_relay_published_position')).toBe(head);
    expect(await metric('controlplane_relay_lag_events')).toBe(0);

    const admin = new Kafka({ clientId: 'relay-test-admin', brokers: [brokers()], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(meta.topics[0].partitions).toHaveLength(12);
  }, 60_000);

  it('says once when it falls behind with Kafka away, and once when it has caught up', async () => {
    const topic = uniqueTopic('relay-behind');
    const network = cuttableNetwork();
    const lines: Array<[level: string, msg: string]> = [];
    const logger = {
      info: (_: object, msg: string) => lines.push(['info', msg]),
      warn: (_: object, msg: string) => lines.push(['warn', msg]),
      error: (_: object, msg: string) => lines.push(['error', msg]),
    };
    const relay = new EventRelay(store, {
      brokers: brokers(),
      topic,
      behindWarnEvents: 20,
      backoffMs: { min: 100, max: 500 },
      logger,
      kafka: {
        socketFactory: network.socketFactory,
        connectionTimeout: 1_000,
        requestTimeout: 2_000,
        retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
      },
    });
    await relay.start();
    await relay.waitForPublished(await appendEvents(store, 0, 8));
    network.cut();
    const head = await appendEvents(store, 8, 40); // writes go on while Kafka is away
    await waitFor('the behind line', () => lines.some(([, msg]) => msg.startsWith('relay behind by')), 40_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(lines)}`);
    });
    network.heal();
    await relay.waitForPublished(head);
    await waitFor('the caught-up line', () => lines.some(([, msg]) => msg.startsWith('relay caught up')));
    await relay.stop();
    const said = lines.filter(([, msg]) => /^relay (behind|caught up)/.test(msg));
    expect(said).toEqual([
      ['warn', expect.stringMatching(/^relay behind by \d+ events \(more than 20\)$/)],
      ['info', 'relay caught up: 0 events behind'],
    ]);
  }, 60_000);

  it('after a crash between ack and record re-sends at most the tail, and a projector applies each event once', async () => {
    const topic = uniqueTopic('relay-crash');
    const head1 = await appendEvents(store, 0, 200);
    const first = new CrashingRelay(store, { brokers: brokers(), topic, batchSize: 25 });
    first.armCrash(120);
    await first.start();
    const crashedAt = await first.crashed;
    await first.stop({ abrupt: true });
    const recorded = Number(
      (await eventsDb.get<{ position: number }>('SELECT position FROM relay_offsets WHERE relay = ?', [topic]))!.position,
    );
    expect(recorded).toBeLessThan(crashedAt);

    const second = new EventRelay(store, { brokers: brokers(), topic, batchSize: 25 });
    await second.start();
    const head = await appendEvents(store, 200, 40);
    await second.waitForPublished(head);
    await second.stop();

    const seen = await readTopic(topic);
    const counts = new Map<number, number>();
    for (const s of seen) counts.set(s.position, (counts.get(s.position) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1).map(([p]) => p);
    expect(counts.size).toBe(head); // nothing lost
    expect(repeated.length).toBeGreaterThan(0);
    expect(repeated.length).toBeLessThanOrEqual(25); // one batch: the unrecorded tail
    for (const p of repeated) expect(p > recorded && p <= crashedAt).toBe(true);
    expect(head1).toBeLessThan(head);

    // A projector over the topic with duplicates equals one tailing the event store.
    const db = await openReadModel(sqliteConfig('relay-crash'));
    const projection = new CountsProjection(db);
    const errors: unknown[] = [];
    const projector = new KafkaProjector(db, projection, {
      brokers: brokers(),
      topic,
      appliedLog: true,
      onError: (e) => errors.push(e),
      ...FAST_GROUP,
    });
    await projector.start();
    await projector.waitUntilCaughtUp(30_000);
    await projector.stop();
    const embeddedDb = await openReadModel(sqliteConfig('relay-crash-embedded'));
    const embedded = new StoreProjector(store, embeddedDb, new CountsProjection(embeddedDb));
    await embedded.start();
    await embedded.stop();
    expect(await projection.digest(db)).toBe(await embedded.projection.digest(embeddedDb));
    expect(await db.get('SELECT COUNT(*) AS n, COUNT(DISTINCT position) AS d FROM applied_log')).toEqual({ n: head, d: head });
    expect(errors).toEqual([]);
    await db.close();
    await embeddedDb.close();
  }, 60_000);
});
