import { z } from 'zod';
import { HA_SLOTS_PER_ROUTER } from '@cp/domain';
import { describeSetting } from '@cp/runtime';

/**
 * The scheduler's knobs, named after Neutron's options (neutron.conf [DEFAULT]).
 * Read once at startup and handed to the scheduler; nothing reads the
 * environment while deciding.
 */
export interface L3Config {
  /** Agents each HA router is scheduled to (Neutron: max_l3_agents_per_router). */
  maxL3AgentsPerRouter: number;
  /** Below this many the router is pending (Neutron: min_l3_agents_per_router, at least 2). */
  minL3AgentsPerRouter: number;
  /**
   * Seconds without heartbeat before an agent is declared dead. The API's liveness
   * checker owns heartbeats and appends AgentDead; the scheduler only reacts to it.
   */
  agentDownTime: number;
  /** Move a dead agent's routers to alive agents (Neutron: allow_automatic_l3agent_failover). */
  allowAutomaticL3agentFailover: boolean;
  /** VNIs of HA networks: a range the API's tenant allocator (CP_VNI_RANGE, 1:65535) does not use. */
  haVniRange: readonly [number, number];
  /** MTU of HA networks (vxlan over a 1500-byte underlay). */
  haNetworkMtu: number;
}

export const DEFAULT_L3_CONFIG: L3Config = {
  maxL3AgentsPerRouter: 3,
  minL3AgentsPerRouter: 2,
  agentDownTime: 75,
  allowAutomaticL3agentFailover: true,
  haVniRange: [16_000_000, 16_777_215],
  haNetworkMtu: 1450,
};

const schema = z
  .object({
    maxL3AgentsPerRouter: z.number().int().min(2).max(HA_SLOTS_PER_ROUTER),
    minL3AgentsPerRouter: z.number().int().min(2),
    agentDownTime: z.number().positive(),
    allowAutomaticL3agentFailover: z.boolean(),
    haVniRange: z.tuple([z.number().int().min(1), z.number().int().max(16_777_215)]),
    haNetworkMtu: z.number().int().min(68),
  })
  .refine((c) => c.maxL3AgentsPerRouter >= c.minL3AgentsPerRouter, {
    message: 'max_l3_agents_per_router must be at least min_l3_agents_per_router',
  })
  .refine((c) => c.haVniRange[0] <= c.haVniRange[1], { message: 'the HA VNI range is empty' });

/** Defaults overlaid with `overrides`, validated: a bad value stops the process at startup. */
export function l3Config(overrides: Partial<L3Config> = {}): L3Config {
  const merged = { ...DEFAULT_L3_CONFIG, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path[0] as keyof L3Config | undefined;
    throw new L3ConfigError(`invalid L3 scheduler configuration: ${field ? `${field}: ` : ''}${issue.message}`, field);
  }
  return parsed.data;
}

export class L3ConfigError extends Error {
  override readonly name = 'L3ConfigError';
  constructor(
    message: string,
    readonly field?: keyof L3Config,
  ) {
    super(message);
  }
}

/** The setting (environment name) behind each field. */
const SETTING_OF: Record<keyof L3Config, string> = {
  maxL3AgentsPerRouter: 'CP_MAX_L3_AGENTS_PER_ROUTER',
  minL3AgentsPerRouter: 'CP_MIN_L3_AGENTS_PER_ROUTER',
  agentDownTime: 'CP_AGENT_DOWN_TIME',
  allowAutomaticL3agentFailover: 'CP_ALLOW_AUTOMATIC_L3AGENT_FAILOVER',
  haVniRange: 'CP_L3_HA_VNI_RANGE',
  haNetworkMtu: 'CP_L3_HA_NETWORK_MTU',
};

/** From the environment (`CP_*`, as the rest of the control plane is configured). */
export function l3ConfigFromEnv(env: NodeJS.ProcessEnv = process.env): L3Config {
  const int = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : Number(env[name]));
  const bool = (name: string) => {
    const v = env[name]?.toLowerCase();
    if (v === undefined || v === '') return undefined;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new Error(`invalid setting ${describeSetting(name)}: must be true or false, not '${env[name]}'`);
  };
  const range = env.CP_L3_HA_VNI_RANGE?.split(':').map(Number);
  try {
    return l3Config({
      maxL3AgentsPerRouter: int('CP_MAX_L3_AGENTS_PER_ROUTER'),
      minL3AgentsPerRouter: int('CP_MIN_L3_AGENTS_PER_ROUTER'),
      agentDownTime: int('CP_AGENT_DOWN_TIME'),
      allowAutomaticL3agentFailover: bool('CP_ALLOW_AUTOMATIC_L3AGENT_FAILOVER'),
      haVniRange: range ? (range.length === 2 ? [range[0], range[1]] : [NaN, NaN]) : undefined,
      haNetworkMtu: int('CP_L3_HA_NETWORK_MTU'),
    });
  } catch (e) {
    // Name the setting an operator wrote, not the field it became.
    if (e instanceof L3ConfigError && e.field)
      throw new Error(`invalid setting ${describeSetting(SETTING_OF[e.field])}: ${e.message}`, { cause: e });
    throw e;
  }
}
