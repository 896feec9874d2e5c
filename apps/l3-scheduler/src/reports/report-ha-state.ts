import { z } from 'zod';
import type { CommandContext } from '@cp/events';
import { isRejection, type Rejection, routerPlacementDecider } from '@cp/domain';
import { isConflictError, type EventStore } from '@cp/store';
import type { HaState } from '../contract/l3-documents';
import { streams } from '../ids';

export const haStateBody = z.strictObject({ state: z.enum(['active', 'standby', 'fault', 'unknown']) });

export interface HaStateReport {
  router_id: string;
  host: string;
  agent_id: string;
  state: HaState;
}

/**
 * An L3 agent reports the keepalived state of a router it runs
 * (PUT /v1/hosts/{host}/routers/{router_id}/ha_state). Decided on the router's
 * `router-ha` stream, the source of truth for where it runs, so a report racing
 * an unschedule either lands before it or is refused with 404.
 */
export async function reportHaState(
  store: EventStore,
  input: { host: string; routerId: string; state: HaState },
  caller: { actor: string; requestId: string; now: string },
): Promise<HaStateReport | Rejection> {
  const streamId = streams.routerHa(input.routerId);
  for (let attempt = 1; ; attempt++) {
    const events = await store.readStream(streamId);
    const state = events.reduce((s, e) => routerPlacementDecider.evolve(s, e), routerPlacementDecider.initialState());
    const version = events.length ? events[events.length - 1].metadata.streamVersion : 0;
    const decision = routerPlacementDecider.decide({ type: 'ReportHaState', data: { routerId: input.routerId, host: input.host, state: input.state } }, state);
    if (isRejection(decision)) return decision;
    const binding = state.status === 'unscheduled' ? undefined : state.bindings.find((b) => b.host === input.host);
    const result = { router_id: input.routerId, host: input.host, agent_id: binding!.agentId, state: input.state };
    if (decision.length === 0) return result;
    const ctx: CommandContext = {
      projectId: state.status === 'unscheduled' ? '' : state.projectId,
      actor: caller.actor,
      requestId: caller.requestId,
      causationId: null,
      now: caller.now,
      isAdmin: false,
    };
    try {
      await store.transaction((tx) => store.append([{ streamId, expectedVersion: version, events: decision }], ctx, tx));
      return result;
    } catch (err) {
      // The scheduler appended to this router meanwhile: decide again on what it recorded.
      if (attempt >= 5 || !isConflictError(err)) throw err;
    }
  }
}
