import { z } from 'zod';
import { DEFAULT_PARTITIONS, DEFAULT_TOPIC, type KafkaProjectorOptions } from '@cp/store';
import { kafkaSecurityFromEnv } from './kafka-security';
import { envBool, parseEnv, pgSchemaName } from './settings';

/**
 * The settings of a projector process in distributed mode (apps/l2pop-projector,
 * apps/l3-scheduler): where its shared read model lives, how it joins the
 * consumer group, and how it serves. Every instance of one projection must use
 * the same CP_READ_MODEL_URL/SCHEMA, topic and group id.
 */
const schema = z.object({
  CP_HOST: z.string().default('127.0.0.1'),
  CP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  CP_READ_MODEL_URL: z.string().min(1).optional(),
  CP_READ_MODEL_SCHEMA: pgSchemaName.default('controlplane_read'),
  CP_KAFKA_BROKERS: z.string().min(1).optional(),
  CP_KAFKA_TOPIC: z.string().min(1).default(DEFAULT_TOPIC),
  CP_KAFKA_PARTITIONS: z.coerce.number().int().positive().default(DEFAULT_PARTITIONS),
  CP_KAFKA_REPLICATION_FACTOR: z.coerce.number().int().positive().default(1),
  CP_KAFKA_CLIENT_ID: z.string().min(1).optional(),
  CP_KAFKA_GROUP_ID: z.string().min(1).optional(),
  CP_KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  CP_KAFKA_REBALANCE_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  CP_KAFKA_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().positive().default(3_000),
  CP_KAFKA_MAX_WAIT_MS: z.coerce.number().int().positive().default(250),
  CP_PROJECTOR_CHUNK_SIZE: z.coerce.number().int().positive().default(500),
  CP_PROJECTOR_CONCURRENCY: z.coerce.number().int().positive().default(1),
  CP_WATCH_POLL_MS: z.coerce.number().int().positive().default(5_000),
  CP_WATCH_NOTIFY: envBool.default(true),
  CP_APPLIED_LOG: envBool.default(false),
  CP_L2_HOT_ROWS: z.coerce.number().int().positive().default(500_000),
});

export interface ProjectorProcessSettings {
  host: string;
  port: number;
  /** Unset: not distributed mode (the process falls back to its embedded standalone form). */
  readModelUrl?: string;
  readModelSchema: string;
  kafka: (KafkaProjectorOptions & { brokers: string[] }) | null;
  /** Watchers re-read their host's revision this often: the backstop for commits of other instances. */
  watchPollMs: number;
  /** Instances wake each other's watchers over PostgreSQL LISTEN/NOTIFY after each commit. */
  watchNotify: boolean;
  /** Rows of network and set state the L2 projection keeps in memory (l2pop only). */
  l2HotRows: number;
}

export function loadProjectorSettings(name: string, defaultPort: number, env: NodeJS.ProcessEnv = process.env): ProjectorProcessSettings {
  const s = parseEnv(schema, env);
  return {
    host: s.CP_HOST,
    port: s.CP_PORT ?? defaultPort,
    readModelUrl: s.CP_READ_MODEL_URL,
    readModelSchema: s.CP_READ_MODEL_SCHEMA,
    watchPollMs: s.CP_WATCH_POLL_MS,
    watchNotify: s.CP_WATCH_NOTIFY,
    l2HotRows: s.CP_L2_HOT_ROWS,
    kafka: s.CP_KAFKA_BROKERS
      ? {
          brokers: s.CP_KAFKA_BROKERS.split(',')
            .map((b) => b.trim())
            .filter(Boolean),
          clientId: s.CP_KAFKA_CLIENT_ID ?? `controlplane-${name}`,
          topic: s.CP_KAFKA_TOPIC,
          partitions: s.CP_KAFKA_PARTITIONS,
          replicationFactor: s.CP_KAFKA_REPLICATION_FACTOR,
          groupId: s.CP_KAFKA_GROUP_ID ?? `controlplane.${name}`,
          sessionTimeout: s.CP_KAFKA_SESSION_TIMEOUT_MS,
          rebalanceTimeout: s.CP_KAFKA_REBALANCE_TIMEOUT_MS,
          heartbeatInterval: s.CP_KAFKA_HEARTBEAT_INTERVAL_MS,
          maxWaitTimeInMs: s.CP_KAFKA_MAX_WAIT_MS,
          chunkSize: s.CP_PROJECTOR_CHUNK_SIZE,
          partitionsConsumedConcurrently: s.CP_PROJECTOR_CONCURRENCY,
          appliedLog: s.CP_APPLIED_LOG,
          kafka: kafkaSecurityFromEnv(env),
        }
      : null,
  };
}
