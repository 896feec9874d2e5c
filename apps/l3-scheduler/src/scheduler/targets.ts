import { bindingsOf } from '@cp/domain';
import type { L3Config } from '../config';
import type { SchedulerFacts, Trigger } from './facts';
import type { Placements } from './placements';
import { LEGACY_AGENTS } from './plan';

/**
 * The routers a trigger concerns, oldest router first (the order in which they
 * asked for agents), so that who gets the least loaded agent does not depend on
 * map order or on a restart.
 */
export async function targetsOf(
  trigger: Trigger,
  facts: SchedulerFacts,
  placements: Placements,
  config: L3Config,
): Promise<Array<{ routerId: string; fill: boolean }>> {
  if (trigger.kind === 'router') return [{ routerId: trigger.routerId, fill: false }];
  let ids: string[];
  if (trigger.kind === 'agent-gone') {
    if (trigger.reason === 'agent_dead' && !config.allowAutomaticL3agentFailover) return [];
    ids = placements.routersOn(trigger.agentId);
  } else {
    // An agent became usable: routers waiting for agents (below min), or, for a brand-new
    // agent, every router below max. Routers already on enough agents stay where they are.
    const below = trigger.fill ? config.maxL3AgentsPerRouter : config.minL3AgentsPerRouter;
    ids = [];
    for (const [id, r] of facts.routers) {
      if (r.deleted) continue;
      const p = await placements.get(id);
      if (bindingsOf(p.state).length < (r.ha ? below : LEGACY_AGENTS) || p.state.status === 'pending') ids.push(id);
    }
  }
  const seq = (id: string) => facts.routers.get(id)?.seq ?? 0;
  const fill = trigger.kind === 'agent-usable' && trigger.fill;
  return ids.sort((a, b) => seq(a) - seq(b) || (a < b ? -1 : 1)).map((routerId) => ({ routerId, fill }));
}
