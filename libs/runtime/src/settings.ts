import { z } from 'zod';
import type { LogLevel } from './logger';

/** Settings every process shares (API, l2pop-projector, l3-scheduler); validated at start-up like config.ts. */
const schema = z.object({
  CP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CP_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(25_000),
  CP_SHUTDOWN_DRAIN_MS: z.coerce.number().int().nonnegative().default(0),
  CP_READY_MAX_LAG: z.coerce.number().int().nonnegative().default(1_000),
  CP_OPS_HOST: z.string().min(1).default('127.0.0.1'),
  CP_OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

export interface OpsConfig {
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
  drainDelayMs: number;
  /** /readyz fails while a read model is more than this many events behind. */
  readyMaxLag: number;
  /** Where /healthz, /readyz and /metrics are served instead of the process's own port; unset: on its port. */
  opsListen?: { host: string; port: number };
}

export function loadOpsConfig(env: NodeJS.ProcessEnv = process.env): OpsConfig {
  const s = parseEnv(schema, env);
  return {
    logLevel: s.CP_LOG_LEVEL,
    shutdownTimeoutMs: s.CP_SHUTDOWN_TIMEOUT_MS,
    drainDelayMs: s.CP_SHUTDOWN_DRAIN_MS,
    readyMaxLag: s.CP_READY_MAX_LAG,
    opsListen: s.CP_OPS_PORT === undefined ? undefined : { host: s.CP_OPS_HOST, port: s.CP_OPS_PORT },
  };
}

/** Parses the environment with `schema`; the first bad value stops the process with its name. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid setting ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** `true/false/1/0/yes/no/on/off`, as operators write them. */
export const envBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
