/** An L3 agent the scheduler may place a router on. */
export interface AgentCandidate {
  agentId: string;
  host: string;
  /** Number of HA routers bound to the agent now. */
  load: number;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Least loaded first; ties by host name, then agent id. Plain code-unit comparison
 * rather than localeCompare: the order must not depend on the machine's locale,
 * or two scheduler instances could rank the same agents differently.
 */
export function rankCandidates(candidates: readonly AgentCandidate[]): AgentCandidate[] {
  return [...candidates].sort((a, b) => a.load - b.load || cmp(a.host, b.host) || cmp(a.agentId, b.agentId));
}

/** keepalived priority of every instance, as Neutron (HA_DEFAULT_PRIORITY): all start BACKUP with nopreempt. */
export const HA_DEFAULT_PRIORITY = 50;
