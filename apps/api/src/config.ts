import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every setting the API process reads, from the environment, validated once at
 * start-up so a typo fails loudly instead of running with a default.
 */
const schema = z.object({
  CP_HOST: z.string().default('127.0.0.1'),
  CP_PORT: z.coerce.number().int().min(0).max(65535).default(9696),
  CP_DATA_DIR: z.string().default('./data'),
  /** PostgreSQL URL of the event store for distributed mode; unset = embedded SQLite. */
  CP_EVENT_STORE_URL: z.string().optional(),
  CP_EVENT_STORE_SCHEMA: z.string().optional(),
  CP_SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  CP_DEFAULT_PROJECT_ID: z.string().default('admin'),
  CP_TENANT_NETWORK_TYPE: z.enum(['vxlan', 'geneve', 'gre']).default('vxlan'),
  CP_VNI_RANGE: z
    .string()
    .regex(/^\d+:\d+$/)
    .default('1:65535'),
  CP_TUNNEL_MTU: z.coerce.number().int().default(1450),
  CP_AGENT_DOWN_TIME: z.coerce.number().positive().default(75),
  CP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Settings = ReturnType<typeof loadSettings>;

export function loadSettings(env: NodeJS.ProcessEnv = process.env) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid setting ${issue.path.join('.')}: ${issue.message}`);
  }
  const s = parsed.data;
  const [vniMin, vniMax] = s.CP_VNI_RANGE.split(':').map(Number);
  return {
    host: s.CP_HOST,
    port: s.CP_PORT,
    dataDir: resolve(s.CP_DATA_DIR),
    eventStoreUrl: s.CP_EVENT_STORE_URL,
    eventStoreSchema: s.CP_EVENT_STORE_SCHEMA,
    sqliteSynchronous: s.CP_SQLITE_SYNCHRONOUS,
    defaultProjectId: s.CP_DEFAULT_PROJECT_ID,
    tenantNetworkType: s.CP_TENANT_NETWORK_TYPE,
    vniRange: [vniMin, vniMax] as [number, number],
    tunnelMtu: s.CP_TUNNEL_MTU,
    agentDownTimeSeconds: s.CP_AGENT_DOWN_TIME,
    logLevel: s.CP_LOG_LEVEL,
  };
}

export const SETTINGS = Symbol('SETTINGS');
