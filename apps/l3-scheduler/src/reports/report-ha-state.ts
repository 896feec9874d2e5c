import { z } from 'zod';
import { bindingsOf, routerPlacementDecider } from '@cp/domain';
import { routerHaStream, type CommandRunner } from '@cp/write-model';
import type { HaState } from '../contract/l3-documents';

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
 * an unschedule either lands before it or is refused with 404
 * (HARouterNotScheduledOnHost, thrown as a RejectionError).
 */
export async function reportHaState(
  runner: CommandRunner,
  input: { host: string; routerId: string; state: HaState },
  caller: { actor: string; requestId: string; now: string },
): Promise<HaStateReport> {
  const streamId = routerHaStream(input.routerId);
  const ctx = { projectId: '', actor: caller.actor, requestId: caller.requestId, causationId: null, now: caller.now, isAdmin: false };
  const { result } = await runner.run(ctx, async (uow) => {
    const placement = await uow.load(routerPlacementDecider, streamId);
    // Recorded under the router's project, as the scheduler's decisions on this stream are.
    if (placement.status !== 'unscheduled') uow.recordUnder(placement.projectId);
    await uow.decide(routerPlacementDecider, streamId, {
      type: 'ReportHaState',
      data: { routerId: input.routerId, host: input.host, state: input.state },
    });
    const binding = bindingsOf(placement).find((b) => b.host === input.host)!;
    return { router_id: input.routerId, host: input.host, agent_id: binding.agentId, state: input.state };
  });
  return result;
}
