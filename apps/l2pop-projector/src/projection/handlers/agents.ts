import type { EventOfType } from '../../../../../libs/events/src';
import type { Impact } from '../impact';
import type { TxSql } from '../sql';

export const AGENT_EVENTS = ['AgentRegistered', 'AgentConfigurationChanged', 'AgentDeleted'] as const;
type AgentEvent = EventOfType<(typeof AGENT_EVENTS)[number]>;

/**
 * A host's tunnel IP is what its L2 agent registered. Liveness is not an input:
 * DESIGN.md 4 counts ports on hosts whose agent is registered with a tunnel IP.
 */
export async function applyAgentEvent(q: TxSql, event: AgentEvent, impact: Impact): Promise<void> {
  const d = event.data;
  const before = await q.get<{ host: string }>('SELECT host FROM l2_agents WHERE id = ?', [d.id]);
  if (event.type === 'AgentDeleted') {
    await q.run('DELETE FROM l2_agents WHERE id = ?', [d.id]);
  } else {
    await q.run(
      `INSERT INTO l2_agents (id, host, tunnel_ip) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET host = excluded.host, tunnel_ip = excluded.tunnel_ip`,
      [d.id, d.host, event.data.tunnelIp || null],
    );
  }
  for (const host of new Set([before?.host, d.host])) if (host) await hostNetworks(q, host, impact);
}

/** Every network whose membership may depend on the host's tunnel IP. */
async function hostNetworks(q: TxSql, host: string, impact: Impact): Promise<void> {
  const rows = await q.all<{ network_id: string }>(
    `SELECT network_id FROM l2_ports WHERE host = ?
     UNION SELECT f.network_id FROM l2_router_hosts h JOIN l2_router_ifaces f ON f.router_id = h.router_id WHERE h.host = ?
     UNION SELECT network_id FROM l2_net_members WHERE host = ?`,
    [host, host, host],
  );
  for (const r of rows) impact.network(r.network_id, [host]);
}
