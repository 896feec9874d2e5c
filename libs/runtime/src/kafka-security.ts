import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { describeSetting } from './config-file';
import { envBool, parseEnv } from './settings';

/**
 * TLS and SASL for a real Kafka cluster, shared by the relay (API) and the
 * projector processes. Unset: plaintext, as the single-node test broker speaks.
 */
const schema = z.object({
  CP_KAFKA_SSL: envBool.default(false),
  CP_KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  CP_KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  CP_KAFKA_SASL_USERNAME: z.string().optional(),
  CP_KAFKA_SASL_PASSWORD: z.string().optional(),
});

export function kafkaSecurityFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<KafkaConfig> {
  const s = parseEnv(schema, env);
  const out: Partial<KafkaConfig> = {};
  if (s.CP_KAFKA_SSL || s.CP_KAFKA_SSL_CA_FILE)
    out.ssl = s.CP_KAFKA_SSL_CA_FILE ? { ca: [readFileSync(s.CP_KAFKA_SSL_CA_FILE, 'utf8')] } : true;
  if (s.CP_KAFKA_SASL_MECHANISM) {
    if (!s.CP_KAFKA_SASL_USERNAME || s.CP_KAFKA_SASL_PASSWORD === undefined) {
      throw new Error(
        `invalid setting ${describeSetting('CP_KAFKA_SASL_MECHANISM')}: needs CP_KAFKA_SASL_USERNAME and CP_KAFKA_SASL_PASSWORD`,
      );
    }
    out.sasl = {
      mechanism: s.CP_KAFKA_SASL_MECHANISM,
      username: s.CP_KAFKA_SASL_USERNAME,
      password: s.CP_KAFKA_SASL_PASSWORD,
    } as SASLOptions;
  }
  return out;
}
