import { agentDecider, bindingsOf, routerDecider, routerPlacementDecider, routerPortsHost, type AgentState } from '@cp/domain';
import type { CommandContext, DomainEvent } from '@cp/events';
import { agentStream, bindRouterPorts, fail, routerHaStream, routerStream, AGENT, type UnitOfWork, type WriteSide } from '@cp/write-model';
import type { L3Config } from '../config';
import { L3_AGENT_TYPE, NON_HA_MODES } from './facts';
import { followWithPorts, reconcileRouter } from './reconcile-router';

/**
 * Neutron's l3_agent_scheduler extension, write side: an admin places a router
 * on an L3 agent (`POST /v2.0/agents/{id}/l3-routers`) or takes it off
 * (`DELETE .../l3-routers/{router_id}`). Commands on the router's placement
 * stream, like the scheduler's decisions, so they race it safely; the scheduler
 * does not undo them (a router taken off every agent stays unhosted until an
 * admin adds it back or a later trigger places it, as Neutron says).
 */
export interface ManualScheduling {
  writeSide: WriteSide;
  config: L3Config;
}

interface Target {
  agent: Extract<AgentState, { status: 'registered' }>;
  router: { id: string; projectId: string; ha: boolean };
}

/** The agent (by id) and the router, or Neutron's 404s. */
async function loadTarget(uow: UnitOfWork, agentId: string, routerId: string): Promise<Target> {
  const body = await uow.resources.get(AGENT, agentId, uow.tx);
  const state = body ? await uow.load(agentDecider, agentStream(String(body.agent_type), String(body.host))) : null;
  if (!state || state.status !== 'registered') fail(404, 'AgentNotFound', `Agent ${agentId} could not be found`);
  const router = await uow.load(routerDecider, routerStream(routerId));
  if (router.status !== 'active') fail(404, 'RouterNotFound', `Router ${routerId} could not be found`);
  const { id, projectId, ha } = router.router;
  // Recorded under the router's project, as the scheduler's decisions on its placement stream are.
  uow.recordUnder(projectId);
  return { agent: state, router: { id, projectId, ha } };
}

/** Both answer the position of the last event appended (0 when nothing changed), so the caller can read its write. */
export async function addRouterToAgent(deps: ManualScheduling, ctx: CommandContext, agentId: string, routerId: string): Promise<number> {
  const { events } = await deps.writeSide.runner.run(ctx, async (uow) => {
    const { agent: state, router } = await loadTarget(uow, agentId, routerId);
    const { agent } = state;
    const mode = typeof agent.configurations.agent_mode === 'string' ? agent.configurations.agent_mode : '';
    if (agent.agentType !== L3_AGENT_TYPE || !state.adminStateUp || NON_HA_MODES.has(mode)) {
      fail(400, 'InvalidL3Agent', `Agent ${agentId} is not a L3 Agent or has been disabled`);
    }
    const bindings = bindingsOf(await uow.load(routerPlacementDecider, routerHaStream(routerId)));
    if (bindings.some((b) => b.agentId === agentId)) return;
    const legacyOn = bindings.find((b) => b.haPortId === null);
    if (!router.ha && legacyOn) {
      fail(409, 'RouterHostedByL3Agent', `The router ${routerId} has been already hosted by the L3 Agent ${legacyOn.agentId}.`);
    }
    // The scheduler's own command, offered this one agent and room for one more binding.
    const max = router.ha ? bindings.length + 1 : 1;
    await reconcileRouter(uow, {
      routerId,
      projectId: router.projectId,
      mode: router.ha ? 'ha' : 'legacy',
      fill: true,
      candidates: [{ agentId, host: agent.host, load: 0 }],
      evacuations: () => new Map(),
      config: { ...deps.config, maxL3AgentsPerRouter: max },
      segments: deps.writeSide.segments,
    });
  });
  return lastPosition(events);
}

export async function removeRouterFromAgent(
  deps: ManualScheduling,
  ctx: CommandContext,
  agentId: string,
  routerId: string,
): Promise<number> {
  const { events } = await deps.writeSide.runner.run(ctx, async (uow) => {
    const { router } = await loadTarget(uow, agentId, routerId);
    const stream = routerHaStream(routerId);
    const before = await uow.load(routerPlacementDecider, stream);
    if (!bindingsOf(before).some((b) => b.agentId === agentId)) {
      fail(409, 'RouterNotHostedByL3Agent', `The router ${routerId} is not hosted by L3 agent ${agentId}.`);
    }
    const events = await uow.decide(routerPlacementDecider, stream, {
      type: 'UnscheduleFromAgents',
      data: { routerId, agentIds: [agentId], reason: 'admin' },
    });
    await followWithPorts(uow, before, events, null, routerId, router.projectId);
    await bindRouterPorts(uow, routerId, routerPortsHost(await uow.load(routerPlacementDecider, stream)));
  });
  return lastPosition(events);
}

const lastPosition = (events: readonly DomainEvent[]) => events[events.length - 1]?.metadata.position ?? 0;
