import { Kafka, logLevel, type KafkaConfig, type Message } from 'kafkajs';
import { partitionKey, readEvent, type DomainEvent } from '@cp/events';

export const DEFAULT_TOPIC = 'controlplane.events';
export const DEFAULT_PARTITIONS = 12;

/** The part of a pino logger these components use; pino's own loggers fit. */
export interface KafkaLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: KafkaLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface KafkaConnection {
  /** Bootstrap brokers, as a list or a comma-separated string. */
  brokers: string[] | string;
  clientId?: string;
  /** Merged over the defaults below (tests pass a socketFactory to cut the network). */
  kafka?: Partial<KafkaConfig>;
}

/**
 * A kafkajs client with quick reconnects: a broker outage should cost seconds
 * of retry, not kafkajs' default minute. kafkajs' own logs are off (they are
 * unstructured); the callers log what matters through their logger.
 */
export function kafkaClient(c: KafkaConnection, defaultClientId: string): Kafka {
  const brokers =
    typeof c.brokers === 'string'
      ? c.brokers
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean)
      : c.brokers;
  return new Kafka({
    clientId: c.clientId ?? defaultClientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 15_000,
    retry: { initialRetryTime: 200, maxRetryTime: 3_000, retries: 6 },
    ...c.kafka,
  });
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates the event topic unless it exists. Retention is unlimited: projectors
 * rebuild from offset 0, so the topic must keep the whole history (the event
 * store remains the source of truth; the topic is its ordered copy per key).
 * Changing the partition count later would move keys between partitions and
 * break per-key order, so an existing topic is used as it is.
 */
export async function ensureTopic(kafka: Kafka, spec: TopicSpec): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(spec.topic)) {
      // false when someone else created it meanwhile: fine, it is there.
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: spec.topic,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            configEntries: [
              { name: 'retention.ms', value: '-1' },
              { name: 'cleanup.policy', value: 'delete' },
            ],
          },
        ],
      });
    }
    const meta = await admin.fetchTopicMetadata({ topics: [spec.topic] });
    return meta.topics[0].partitions.length;
  } finally {
    await admin.disconnect();
  }
}

/** The wire form of an event: key by design.md §3, value `{type, data, metadata}`. */
export function encodeEvent(event: DomainEvent): Message {
  return {
    key: partitionKey(event),
    value: JSON.stringify({ type: event.type, data: event.data, metadata: event.metadata }),
    headers: {
      'event-type': event.type,
      'event-id': event.metadata.eventId,
      position: String(event.metadata.position),
      'schema-version': String(event.metadata.schemaVersion),
    },
  };
}

/** Validates and upcasts like every other read path; a message without a position is unusable. */
export function decodeEvent(value: Buffer | null): DomainEvent {
  if (!value) throw new Error('event message without a value');
  const event = readEvent(JSON.parse(value.toString('utf8')) as { type: string; data: unknown; metadata: unknown });
  if (!event.metadata.position) throw new Error(`event ${event.metadata.eventId} on the topic has no position`);
  return event;
}
