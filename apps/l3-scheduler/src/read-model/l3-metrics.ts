import { Gauge, type Registry } from 'prom-client';
import type { Database } from '@cp/store';

/**
 * What an operator alarms on in the L3 model, read from it at scrape time (so
 * every process serving the model reports the same): routers two or more agents
 * claim (split-brain), routers waiting for agents, and L3 agents alive or dead.
 */
export function registerL3Metrics(registry: Registry, db: Database): void {
  if (registry.getSingleMetric('controlplane_l3_split_brain_routers')) return;
  const count = async (sql: string) => Number((await db.get<{ n: number | string }>(sql))?.n ?? 0);
  new Gauge({
    name: 'controlplane_l3_split_brain_routers',
    help: 'HA routers that two or more L3 agents report active',
    registers: [registry],
    async collect() {
      this.set(
        await count(
          `SELECT COUNT(*) AS n FROM (SELECT router_id FROM l3_bindings WHERE state = 'active' GROUP BY router_id HAVING COUNT(*) > 1) s`,
        ),
      );
    },
  });
  new Gauge({
    name: 'controlplane_l3_pending_routers',
    help: 'Routers waiting for L3 agents (or for an HA network), with the reason at /v1/routers/{id}/ha',
    registers: [registry],
    async collect() {
      this.set(await count('SELECT COUNT(*) AS n FROM l3_pending'));
    },
  });
  new Gauge({
    name: 'controlplane_l3_vrids_used',
    help: 'VRIDs taken on each HA network (255 at most: a project past that gets another HA network)',
    labelNames: ['ha_network'],
    registers: [registry],
    async collect() {
      const rows = await db.all<{ ha_network_id: string; n: number | string }>(
        'SELECT ha_network_id, COUNT(*) AS n FROM l3_vrids GROUP BY ha_network_id',
      );
      this.reset();
      for (const r of rows) this.set({ ha_network: r.ha_network_id }, Number(r.n));
    },
  });
  new Gauge({
    name: 'controlplane_l3_agents',
    help: 'L3 agents by liveness (as of the last AgentAlive/AgentDead event)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const alive = await count('SELECT COUNT(*) AS n FROM l3_agents WHERE alive = 1');
      const all = await count('SELECT COUNT(*) AS n FROM l3_agents');
      this.set({ state: 'alive' }, alive);
      this.set({ state: 'dead' }, all - alive);
    },
  });
}
