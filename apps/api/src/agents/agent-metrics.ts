import { Gauge, type Registry } from 'prom-client';
import { AGENT, AgentHeartbeats, withLiveness, type WriteSide } from '@cp/write-model';

/**
 * Agents by type and liveness, as `GET /v2.0/agents` shows them (a heartbeat
 * within agent_down_time), read at scrape time. What to alarm on when hosts
 * stop reporting: every process with a write side gives the same numbers.
 */
export function registerAgentMetrics(registry: Registry, ws: WriteSide, downTimeSeconds: number): void {
  if (registry.getSingleMetric('controlplane_agents')) return;
  const heartbeats = new AgentHeartbeats(ws.db);
  new Gauge({
    name: 'controlplane_agents',
    help: 'Registered agents by agent_type and state (alive: a heartbeat within agent_down_time)',
    labelNames: ['agent_type', 'state'],
    registers: [registry],
    async collect() {
      const [agents, beats] = await Promise.all([ws.resources.list(AGENT), heartbeats.byAgentId()]);
      const now = Date.now();
      const counts = new Map<string, { alive: number; dead: number }>();
      for (const a of agents) {
        const type = String(a.agent_type);
        const c = counts.get(type) ?? { alive: 0, dead: 0 };
        if (withLiveness(a, beats.get(String(a.id)), downTimeSeconds, now).alive) c.alive++;
        else c.dead++;
        counts.set(type, c);
      }
      this.reset();
      for (const [type, c] of counts) {
        this.set({ agent_type: type, state: 'alive' }, c.alive);
        this.set({ agent_type: type, state: 'dead' }, c.dead);
      }
    },
  });
}
