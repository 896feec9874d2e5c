import { z } from 'zod';
import type { DomainEvent } from '@cp/events';
import { bindingsOf, routerPlacementDecider, routerPortsHost } from '@cp/domain';
import { bindRouterPorts, RejectionError, RetriesExhausted, routerHaStream, type CommandRunner } from '@cp/write-model';
import type { HaState } from '../contract/l3-documents';

const haState = z.enum(['active', 'standby', 'fault', 'unknown']);
export const haStateBody = z.strictObject({ state: haState });

/** A batch as large as any host's routers (Neutron caps nothing here; this bounds one request's work). */
export const MAX_BATCH = 10_000;
export const haStatesBody = z.strictObject({
  states: z
    .record(z.string().uuid(), haState)
    .refine((s) => Object.keys(s).length <= MAX_BATCH, { message: `at most ${MAX_BATCH} routers per report` }),
});

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
export interface Reporter {
  actor: string;
  requestId: string;
  now: string;
  /** Hears a split-brain begin or end that this report caused (the process logs it as an alarm). */
  onAlarm?: (event: Extract<DomainEvent, { type: 'RouterSplitBrainDetected' | 'RouterSplitBrainResolved' }>) => void;
}

export async function reportHaState(
  runner: CommandRunner,
  input: { host: string; routerId: string; state: HaState },
  caller: Reporter,
): Promise<HaStateReport> {
  const streamId = routerHaStream(input.routerId);
  const ctx = { projectId: '', actor: caller.actor, requestId: caller.requestId, causationId: null, now: caller.now, isAdmin: false };
  const { result, events: stored } = await runner.run(ctx, async (uow) => {
    const placement = await uow.load(routerPlacementDecider, streamId);
    // Recorded under the router's project, as the scheduler's decisions on this stream are.
    if (placement.status !== 'unscheduled') uow.recordUnder(placement.projectId);
    const events = await uow.decide(routerPlacementDecider, streamId, {
      type: 'ReportHaState',
      data: { routerId: input.routerId, host: input.host, state: input.state },
    });
    // A new active instance takes the router's ports (Neutron's failover binding); a re-report changes nothing.
    if (events.length > 0) await bindRouterPorts(uow, input.routerId, routerPortsHost(await uow.load(routerPlacementDecider, streamId)));
    const binding = bindingsOf(placement).find((b) => b.host === input.host)!;
    return { router_id: input.routerId, host: input.host, agent_id: binding.agentId, state: input.state };
  });
  for (const e of stored) if (e.type === 'RouterSplitBrainDetected' || e.type === 'RouterSplitBrainResolved') caller.onAlarm?.(e);
  return result;
}

export interface HaStatesResult {
  ha_states: HaStateReport[];
  /** Routers this host does not run (any more): nothing was recorded for them. */
  rejected: Array<{ router_id: string; type: string; message: string }>;
}

/**
 * One call per host for all its routers (Neutron's update_ha_routers_states):
 * each router's report is its own command on its own stream, recorded under its
 * project, so one router unscheduled meanwhile does not fail the others; it is
 * listed under `rejected` instead.
 */
export async function reportHaStates(
  runner: CommandRunner,
  input: { host: string; states: Readonly<Record<string, HaState>> },
  caller: Reporter,
): Promise<HaStatesResult> {
  const out: HaStatesResult = { ha_states: [], rejected: [] };
  for (const [routerId, state] of Object.entries(input.states)) {
    try {
      out.ha_states.push(await reportHaState(runner, { host: input.host, routerId, state }, caller));
    } catch (err) {
      if (!(err instanceof RejectionError) || err instanceof RetriesExhausted) throw err;
      out.rejected.push({ router_id: routerId, type: err.rejection.type, message: err.message });
    }
  }
  return out;
}
