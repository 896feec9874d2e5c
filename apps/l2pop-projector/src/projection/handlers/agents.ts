import type { EventOfType } from '@cp/events';
import type { Batch } from '../batch';
import type { Impact } from '../impact';
import type { Sql } from '@cp/store';

export const AGENT_EVENTS = ['AgentRegistered', 'AgentConfigurationChanged', 'AgentDeleted'] as const;
type AgentEvent = EventOfType<(typeof AGENT_EVENTS)[number]>;

/**
 * A host's tunnel IP is what its L2 agent registered. Liveness is not an input:
 * design.md §4 counts ports on hosts whose agent is registered with a tunnel IP.
 */
export async function applyAgentEvent({ q, facts, impact }: Batch, event: AgentEvent): Promise<void> {
  const d = event.data;
  // The agent's former host: read only to name the keys it affected.
  const before = impact.tracking ? await q.get<{ host: string }>('SELECT host FROM l2_agents WHERE id = ?', [d.id]) : undefined;
  if (event.type === 'AgentDeleted') await facts.deleteAgent(d.id);
  else await facts.putAgent(d.id, d.host, event.data.tunnelIp || null);
  if (!impact.tracking) return;
  for (const host of new Set([before?.host, d.host])) if (host) await hostNetworks(q, host, impact);
}

/** Every network whose membership may depend on the host's tunnel IP. */
async function hostNetworks(q: Sql, host: string, impact: Impact): Promise<void> {
  const rows = await q.all<{ network_id: string }>(
    `SELECT network_id FROM l2_ports WHERE host = ?
     UNION SELECT f.network_id FROM l2_router_hosts h JOIN l2_router_ifaces f ON f.router_id = h.router_id WHERE h.host = ?
     UNION SELECT network_id FROM l2_members WHERE host = ? AND deleted = 0`,
    [host, host, host],
  );
  for (const r of rows) impact.network(r.network_id, [host]);
}
