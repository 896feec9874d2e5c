import type { DomainEvent } from '@cp/events';
import { bindingsOf, haNetworkDecider, routerPlacementDecider, type HaNetworkState, type RouterPlacementState } from '@cp/domain';
import type { EventStore } from '@cp/store';

export interface Assignment {
  haNetwork: string;
  networkIndex: number;
  vrid: number;
  hosts: string[];
  status: RouterPlacementState['status'];
}

export async function allEvents(store: EventStore): Promise<DomainEvent[]> {
  const out: DomainEvent[] = [];
  for (let after = 0; ;) {
    const batch = await store.readAll(after, 5000);
    out.push(...batch);
    if (batch.length < 5000) return out;
    after = batch[batch.length - 1].metadata.position!;
  }
}

/**
 * Where every router is, folded straight from the recorded decisions (not from
 * any read model): the ground truth the tests compare everything with.
 */
export async function truth(store: EventStore) {
  const events = await allEvents(store);
  const nets = new Map<string, HaNetworkState>();
  const placements = new Map<string, RouterPlacementState>();
  for (const e of events) {
    const [category, id] = [e.metadata.streamId.split(':')[0], e.metadata.streamId.slice(e.metadata.streamId.indexOf(':') + 1)];
    if (category === 'ha-network') nets.set(id, haNetworkDecider.evolve(nets.get(id) ?? haNetworkDecider.initialState(), e));
    if (category === 'router-ha')
      placements.set(id, routerPlacementDecider.evolve(placements.get(id) ?? routerPlacementDecider.initialState(), e));
  }
  const assignments = new Map<string, Assignment>();
  const vridsByNetwork = new Map<string, number[]>();
  for (const [id, n] of nets) {
    if (n.status !== 'active') continue;
    vridsByNetwork.set(id, Object.values(n.vrids));
    for (const [routerId, vrid] of Object.entries(n.vrids)) {
      const p = placements.get(routerId) ?? routerPlacementDecider.initialState();
      assignments.set(routerId, {
        haNetwork: id,
        networkIndex: n.network.index,
        vrid,
        hosts: bindingsOf(p)
          .map((b) => b.host)
          .sort(),
        status: p.status,
      });
    }
  }
  const scheduledCount = new Map<string, number>();
  for (const e of events)
    if (e.type === 'RouterScheduledToAgent') scheduledCount.set(e.data.routerId, (scheduledCount.get(e.data.routerId) ?? 0) + 1);
  return { events, nets, placements, assignments, vridsByNetwork, scheduledCount };
}

/** Stable text of the assignments, to compare two runs. */
export function describe(assignments: Map<string, Assignment>): string {
  return JSON.stringify([...assignments.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}
