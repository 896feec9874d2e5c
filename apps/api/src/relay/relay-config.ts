import { z } from 'zod';
import { DEFAULT_PARTITIONS, DEFAULT_TOPIC } from '@cp/store';
import { parseEnv } from '@cp/runtime';

/**
 * The relay's settings for a distributed API process. Unset CP_KAFKA_BROKERS
 * means embedded mode: no relay. Validated at start-up, like config.ts.
 */
const schema = z.object({
  CP_KAFKA_BROKERS: z.string().min(1).optional(),
  CP_KAFKA_TOPIC: z.string().min(1).default(DEFAULT_TOPIC),
  CP_KAFKA_PARTITIONS: z.coerce.number().int().positive().default(DEFAULT_PARTITIONS),
  CP_KAFKA_REPLICATION_FACTOR: z.coerce.number().int().positive().default(1),
  CP_KAFKA_CLIENT_ID: z.string().min(1).default('controlplane-api-relay'),
  CP_RELAY_BATCH_SIZE: z.coerce.number().int().positive().default(500),
  CP_RELAY_POLL_MS: z.coerce.number().int().positive().default(1_000),
});

export interface RelaySettings {
  brokers: string[];
  topic: string;
  partitions: number;
  replicationFactor: number;
  clientId: string;
  batchSize: number;
  pollMs: number;
}

export function loadRelaySettings(env: NodeJS.ProcessEnv = process.env): RelaySettings | null {
  const s = parseEnv(schema, env);
  if (!s.CP_KAFKA_BROKERS) return null;
  return {
    brokers: s.CP_KAFKA_BROKERS.split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    topic: s.CP_KAFKA_TOPIC,
    partitions: s.CP_KAFKA_PARTITIONS,
    replicationFactor: s.CP_KAFKA_REPLICATION_FACTOR,
    clientId: s.CP_KAFKA_CLIENT_ID,
    batchSize: s.CP_RELAY_BATCH_SIZE,
    pollMs: s.CP_RELAY_POLL_MS,
  };
}
