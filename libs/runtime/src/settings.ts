import { describeSetting } from './config-file';
import { z } from 'zod';
import type { AuthConfig } from '@cp/auth';
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

const optionalText = z.string().trim().min(1).optional();
/** Authentication and policy, the same in every process (Neutron's auth_strategy and keystone_authtoken). */
const authSchema = z.object({
  CP_AUTH_STRATEGY: z.enum(['noauth', 'keystone']).default('noauth'),
  CP_POLICY_FILE: optionalText,
  CP_DEFAULT_PROJECT_ID: z.string().min(1).default('admin'),
  CP_NOAUTH_ANY_ADDRESS: z.string().default('false'),
  CP_KEYSTONE_URL: z.url().optional(),
  CP_KEYSTONE_USERNAME: z.string().min(1).default('neutron'),
  CP_KEYSTONE_PASSWORD: optionalText,
  CP_KEYSTONE_PROJECT: z.string().min(1).default('service'),
  CP_KEYSTONE_USER_DOMAIN: z.string().min(1).default('Default'),
  CP_KEYSTONE_PROJECT_DOMAIN: z.string().min(1).default('Default'),
  CP_KEYSTONE_CACHE_TTL_S: z.coerce.number().nonnegative().default(60),
  CP_KEYSTONE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
});

export interface OpsConfig {
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
  drainDelayMs: number;
  /** /readyz fails while a read model is more than this many events behind. */
  readyMaxLag: number;
  /** Where /healthz, /readyz and /metrics are served instead of the process's own port; unset: on its port. */
  opsListen?: { host: string; port: number };
  auth: AuthConfig;
}

export function loadOpsConfig(env: NodeJS.ProcessEnv = process.env): OpsConfig {
  const s = parseEnv(schema, env);
  return {
    logLevel: s.CP_LOG_LEVEL,
    shutdownTimeoutMs: s.CP_SHUTDOWN_TIMEOUT_MS,
    drainDelayMs: s.CP_SHUTDOWN_DRAIN_MS,
    readyMaxLag: s.CP_READY_MAX_LAG,
    opsListen: s.CP_OPS_PORT === undefined ? undefined : { host: s.CP_OPS_HOST, port: s.CP_OPS_PORT },
    auth: loadAuthConfig(env),
  };
}

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const s = parseEnv(authSchema, env);
  const policyFile = s.CP_POLICY_FILE;
  if (s.CP_AUTH_STRATEGY === 'noauth') {
    return {
      strategy: 'noauth',
      policyFile,
      defaultProjectId: s.CP_DEFAULT_PROJECT_ID,
      noauthAnyAddress: envBool.parse(s.CP_NOAUTH_ANY_ADDRESS),
    };
  }
  if (!s.CP_KEYSTONE_URL) throw new Error(`invalid setting ${describeSetting('CP_KEYSTONE_URL')}: required with CP_AUTH_STRATEGY=keystone`);
  if (!s.CP_KEYSTONE_PASSWORD)
    throw new Error(`invalid setting ${describeSetting('CP_KEYSTONE_PASSWORD')}: required with CP_AUTH_STRATEGY=keystone`);
  return {
    strategy: 'keystone',
    policyFile,
    keystone: {
      url: s.CP_KEYSTONE_URL,
      username: s.CP_KEYSTONE_USERNAME,
      password: s.CP_KEYSTONE_PASSWORD,
      projectName: s.CP_KEYSTONE_PROJECT,
      userDomainName: s.CP_KEYSTONE_USER_DOMAIN,
      projectDomainName: s.CP_KEYSTONE_PROJECT_DOMAIN,
      cacheTtlMs: s.CP_KEYSTONE_CACHE_TTL_S * 1000,
      timeoutMs: s.CP_KEYSTONE_TIMEOUT_MS,
    },
  };
}

/** Parses the environment with `schema`; the first bad value stops the process with its name. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid setting ${describeSetting(issue.path.join('.'))}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * A PostgreSQL schema name for the event store or a read model: a plain
 * identifier, and not starting with `pg`, which the ORM's schema reader takes
 * for PostgreSQL's own (it would never see its tables and fail creating them).
 */
export const pgSchemaName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be a plain identifier (letters, digits, _)' })
  .refine((s) => !/^pg/i.test(s), { message: 'must not start with "pg" (names like that are taken for PostgreSQL\'s own schemas)' });

/** `true/false/1/0/yes/no/on/off`, as operators write them. */
export const envBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
