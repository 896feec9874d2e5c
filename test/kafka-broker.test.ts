/**
 * The real Kafka broker used by the integration tests (scripts/kafka, test/support):
 * - the shared broker from global setup serves a 12-partition topic, an idempotent producer
 *   and a consumer group, with per-key order kept;
 * - a broker stopped with its data kept and restarted on the same port and dir still has
 *   its topics and messages, and a producer connected before the outage carries on.
 */
import * as net from 'node:net';

import { type Admin, Kafka, type KafkaConfig, logLevel, Partitioners, type Producer } from 'kafkajs';

import { type KafkaBroker, startKafka } from './support/kafka-broker';

// Outside CI a developer without Java gets a warning from global setup and these tests skip;
// in CI global setup fails the run instead, so they never skip there.
const skip = process.env.KAFKA_UNAVAILABLE === '1' && process.env.CI !== 'true';
const describeKafka = skip ? describe.skip : describe;

function client(brokers: string, clientId: string): Kafka {
  const config: KafkaConfig = {
    clientId,
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 200, retries: 8 },
  };
  return new Kafka(config);
}

function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // Explicit, so kafkajs does not warn about its v2 default partitioner change.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

async function createTopic(admin: Admin, topic: string, numPartitions?: number): Promise<void> {
  const created = await admin.createTopics({
    // Without numPartitions the broker's default applies (num.partitions=12 in start.sh).
    topics: [{ topic, replicationFactor: 1, ...(numPartitions ? { numPartitions } : {}) }],
    waitForLeaders: true,
  });
  expect(created).toBe(true);
}

interface Received {
  partition: number;
  key: string;
  seq: number;
}

/** Consumes `expected` messages from the start of `topic` with a new consumer group. */
async function consume(kafka: Kafka, topic: string, expected: number, timeoutMs = 30_000): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader-${Date.now()}`, maxWaitTimeInMs: 500 });
  const received: Received[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length}/${expected} messages arrived in ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: ({ partition, message }) => {
            const { key, seq } = JSON.parse(String(message.value)) as { key: string; seq: number };
            expect(String(message.key)).toBe(key);
            received.push({ partition, key, seq });
            if (received.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch((err: Error) => {
          clearTimeout(timer);
          reject(err);
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/** Messages for `keys` keys, `perKey` each, seq 0..perKey-1 per key, keys interleaved. */
function messages(keys: number, perKey: number, firstSeq = 0): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (let seq = firstSeq; seq < firstSeq + perKey; seq++) {
    for (let k = 0; k < keys; k++) {
      const key = `key-${k}`;
      out.push({ key, value: JSON.stringify({ key, seq }) });
    }
  }
  return out;
}

/** Per key, the seqs in arrival order; also checks that a key never changes partition. */
function byKey(received: Received[]): Map<string, number[]> {
  const seqs = new Map<string, number[]>();
  const partitionOf = new Map<string, number>();
  for (const r of received) {
    expect(partitionOf.get(r.key) ?? r.partition).toBe(r.partition);
    partitionOf.set(r.key, r.partition);
    seqs.set(r.key, [...(seqs.get(r.key) ?? []), r.seq]);
  }
  return seqs;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describeKafka('Kafka broker (single node, KRaft)', () => {
  let brokers: string;
  let own: KafkaBroker | undefined;

  beforeAll(async () => {
    // Normally global setup provides the broker; without it (a run with another config), start one.
    if (process.env.KAFKA_BROKERS) {
      brokers = process.env.KAFKA_BROKERS;
    } else {
      own = await startKafka();
      brokers = own.brokers;
    }
  }, 120_000);

  afterAll(async () => {
    await own?.stop();
  });

  it('round-trips 100 messages through a 12-partition topic with an idempotent producer, in per-key order', async () => {
    const kafka = client(brokers, 'kafka-broker-test');
    const topic = `kafka-broker-test-${Date.now()}`;
    const admin = kafka.admin();
    const producer = idempotentProducer(kafka);
    try {
      await admin.connect();
      await createTopic(admin, topic, 12);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0].partitions).toHaveLength(12);

      await producer.connect();
      const all = messages(10, 10);
      // Ten sends of ten messages, so ordering holds across requests, not only within one.
      for (let i = 0; i < all.length; i += 10) {
        await producer.send({ topic, messages: all.slice(i, i + 10) });
      }

      const received = await consume(kafka, topic, 100);
      expect(received).toHaveLength(100);
      const seqs = byKey(received);
      expect([...seqs.keys()].sort()).toEqual(range(10).map((k) => `key-${k}`));
      for (const [, list] of seqs) expect(list).toEqual(range(10));
      // Ten keys hashed over twelve partitions land on more than one.
      expect(new Set(received.map((r) => r.partition)).size).toBeGreaterThan(1);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  }, 60_000);
});

describeKafka('Kafka broker restart (fault injection)', () => {
  let broker: KafkaBroker | undefined;

  afterAll(async () => {
    await broker?.stop();
  });

  it('keeps topics and messages across stop(keepData) and a restart on the same port and data dir', async () => {
    // Its own broker: stopping the shared one would break tests running in parallel.
    broker = await startKafka();
    const { port, dataDir, brokers } = broker;
    const topic = `kafka-restart-test-${Date.now()}`;

    const kafka = client(brokers, 'kafka-restart-test');
    const producer = idempotentProducer(kafka);
    const admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, topic); // broker default: 12 partitions
    expect((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions).toHaveLength(12);
    await admin.disconnect();
    await producer.connect();
    await producer.send({ topic, messages: messages(5, 4) }); // seq 0..3 for key-0..key-4

    try {
      await broker.stop({ keepData: true });
      expect(await portAnswers(port)).toBe(false);

      broker = await startKafka({ port, dataDir });
      expect(broker.port).toBe(port);
      expect(broker.brokers).toBe(`127.0.0.1:${port}`);
      expect(broker.dataDir).toBe(dataDir);

      // The producer connected before the outage reconnects to the same address and goes on
      // with its producer id and sequence numbers.
      await producer.send({ topic, messages: messages(5, 2, 4) }); // seq 4..5
    } finally {
      await producer.disconnect();
    }

    const after = client(broker.brokers, 'kafka-restart-test-after');
    const admin2 = after.admin();
    await admin2.connect();
    try {
      const offsets = await admin2.fetchTopicOffsets(topic);
      expect(offsets).toHaveLength(12);
      expect(offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0)).toBe(30);
    } finally {
      await admin2.disconnect();
    }
    const seqs = byKey(await consume(after, topic, 30));
    expect([...seqs.keys()].sort()).toEqual(range(5).map((k) => `key-${k}`));
    for (const [, list] of seqs) expect(list).toEqual(range(6));
  }, 120_000);
});
