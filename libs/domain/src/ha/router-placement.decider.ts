import type { DataOf } from '@cp/events';
import { assertNever, notFound, type Decider, type Decision, type Events } from '../decider';
import { rankCandidates, type AgentCandidate } from './ranking';

/**
 * Where one router runs (stream `router-ha:<routerId>`): its L3 agent bindings
 * (an HA router's each with an HA port, a legacy router's one without) and
 * whether it waits for agents. The scheduler appends here with
 * the expected version, so two schedulers cannot both place the same router.
 */
export type HaState = DataOf<'RouterHaStateReported'>['state'];
export type UnscheduleReason = DataOf<'RouterUnscheduledFromAgent'>['reason'];

export interface HaBinding {
  agentId: string;
  host: string;
  priority: number;
  haPortId: string | null;
  /**
   * The binding's place among the router's bindings, lowest free first. Derived by
   * evolve (not stored in the event) so it is the same on every fold; the HA port
   * address is computed from (VRID, slot), which keeps addresses unique per HA network.
   */
  slot: number;
  /** Last state the agent reported; Neutron starts every binding as standby. */
  state: HaState;
}

/**
 * `actives`: the hosts whose last report is `active`, in the order they became
 * so. The first is the authoritative active instance (its router ports are bound
 * there); any other is a split-brain and is told to step down.
 */
export type RouterPlacementState =
  | { status: 'unscheduled'; projectId: string | null }
  | { status: 'pending'; projectId: string; bindings: readonly HaBinding[]; actives: readonly string[]; reason: string }
  | { status: 'scheduled'; projectId: string; bindings: readonly HaBinding[]; actives: readonly string[] };

export type RouterPlacementCommand =
  | {
      type: 'ScheduleRouter';
      data: {
        routerId: string;
        projectId: string;
        /** Alive, enabled L3 agents with their load; the decider ranks them. */
        candidates: readonly AgentCandidate[];
        maxAgents: number;
        minAgents: number;
        priority: number;
        /** HA port id for each candidate, generated at the edge. */
        haPortIds: Readonly<Record<string, string>>;
      };
    }
  | { type: 'UnscheduleFromAgents'; data: { routerId: string; agentIds: readonly string[]; reason: UnscheduleReason } }
  | { type: 'UnscheduleRouter'; data: { routerId: string; reason: UnscheduleReason } }
  | { type: 'ReportHaState'; data: { routerId: string; host: string; state: HaState } }
  /** The router cannot be placed for a reason the agents do not explain (its HA network cannot be created): say so. */
  | { type: 'HoldPending'; data: { routerId: string; projectId: string; reason: string } };

export type RouterPlacementEvent = Events<
  | 'RouterScheduledToAgent'
  | 'RouterUnscheduledFromAgent'
  | 'RouterSchedulingPending'
  | 'RouterHaStateReported'
  | 'RouterSplitBrainDetected'
  | 'RouterSplitBrainResolved'
>;

export const bindingsOf = (s: RouterPlacementState): readonly HaBinding[] => (s.status === 'unscheduled' ? [] : s.bindings);

/** The authoritative active host of an HA router: the first of those reporting active; null when none does. */
export const activeHostOf = (s: RouterPlacementState): string | null => (s.status === 'unscheduled' ? null : (s.actives[0] ?? null));

/**
 * Where the router's own ports (interfaces, gateway) belong, as Neutron binds
 * them: a legacy router's one agent, an HA router's active agent. `null`: the
 * router runs nowhere (unbind them). `undefined`: an HA router with no active
 * instance yet; its ports stay where they are until one reports active.
 */
export function routerPortsHost(s: RouterPlacementState): string | null | undefined {
  const bindings = bindingsOf(s);
  if (bindings.length === 0) return null;
  const legacy = bindings.find((b) => b.haPortId === null);
  return legacy ? legacy.host : (activeHostOf(s) ?? undefined);
}

export function pendingReason(routerId: string, bound: number, minAgents: number): string {
  return `Router ${routerId} runs on ${bound} L3 agent(s); at least ${minAgents} alive L3 agent(s) are needed`;
}

function decide(command: RouterPlacementCommand, state: RouterPlacementState): Decision<RouterPlacementEvent> {
  const bindings = bindingsOf(state);
  switch (command.type) {
    case 'ScheduleRouter': {
      const d = command.data;
      const bound = new Set(bindings.map((b) => b.agentId));
      const wanted = Math.max(0, d.maxAgents - bindings.length);
      const picks = rankCandidates(d.candidates.filter((c) => !bound.has(c.agentId))).slice(0, wanted);
      const events: RouterPlacementEvent[] = picks.map((c) => ({
        type: 'RouterScheduledToAgent',
        data: {
          projectId: d.projectId,
          routerId: d.routerId,
          agentId: c.agentId,
          host: c.host,
          priority: d.priority,
          haPortId: d.haPortIds[c.agentId] ?? null,
        },
      }));
      const total = bindings.length + picks.length;
      // A scheduled event clears pending (see evolve), so restate it whenever agents were added;
      // otherwise say it once: re-processing the same situation appends nothing.
      if (total < d.minAgents && (picks.length > 0 || state.status !== 'pending')) {
        events.push({
          type: 'RouterSchedulingPending',
          data: { projectId: d.projectId, routerId: d.routerId, reason: pendingReason(d.routerId, total, d.minAgents) },
        });
      }
      return events;
    }
    case 'UnscheduleFromAgents': {
      const gone = new Set(command.data.agentIds);
      return unschedule(
        state,
        bindings.filter((b) => gone.has(b.agentId)),
        command.data.routerId,
        command.data.reason,
      );
    }
    case 'UnscheduleRouter':
      return unschedule(state, bindings, command.data.routerId, command.data.reason);
    case 'ReportHaState': {
      const { routerId, host, state: reported } = command.data;
      const binding = bindings.find((b) => b.host === host);
      if (!binding || state.status === 'unscheduled') {
        return notFound('HARouterNotScheduledOnHost', `HA router ${routerId} is not scheduled on host ${host}`);
      }
      // Agents re-report after restarts; an unchanged state is not a new fact.
      if (binding.state === reported) return [];
      const { projectId } = state;
      const events: RouterPlacementEvent[] = [
        { type: 'RouterHaStateReported', data: { projectId, routerId, agentId: binding.agentId, host, state: reported } },
      ];
      const after = reported === 'active' ? [...state.actives, host] : state.actives.filter((h) => h !== host);
      if (after.length > 1 && state.actives.length <= 1) {
        events.push({ type: 'RouterSplitBrainDetected', data: { projectId, routerId, activeHost: after[0], hosts: [...after] } });
      }
      if (after.length <= 1 && state.actives.length > 1) {
        events.push({ type: 'RouterSplitBrainResolved', data: { projectId, routerId, activeHost: after[0] ?? null } });
      }
      return events;
    }
    case 'HoldPending': {
      const { routerId, projectId, reason } = command.data;
      // Re-trying the same failure is not news.
      if (state.status === 'pending' && state.reason === reason) return [];
      return [{ type: 'RouterSchedulingPending', data: { projectId, routerId, reason } }];
    }
    default:
      return assertNever(command);
  }
}

function unschedule(
  state: RouterPlacementState,
  gone: readonly HaBinding[],
  routerId: string,
  reason: UnscheduleReason,
): RouterPlacementEvent[] {
  if (state.status === 'unscheduled') return [];
  const events: RouterPlacementEvent[] = [...gone]
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
    .map((b) => ({
      type: 'RouterUnscheduledFromAgent',
      data: { projectId: state.projectId, routerId, agentId: b.agentId, host: b.host, reason },
    }));
  const after = state.actives.filter((h) => !gone.some((b) => b.host === h));
  if (after.length <= 1 && state.actives.length > 1) {
    events.push({ type: 'RouterSplitBrainResolved', data: { projectId: state.projectId, routerId, activeHost: after[0] ?? null } });
  }
  return events;
}

const activesOf = (s: RouterPlacementState): readonly string[] => (s.status === 'unscheduled' ? [] : s.actives);

function lowestFreeSlot(bindings: readonly HaBinding[]): number {
  const used = new Set(bindings.map((b) => b.slot));
  let slot = 0;
  while (used.has(slot)) slot++;
  return slot;
}

function evolve(state: RouterPlacementState, event: { type: string; data: unknown }): RouterPlacementState {
  const e = event as RouterPlacementEvent;
  const bindings = bindingsOf(state);
  switch (e.type) {
    case 'RouterScheduledToAgent': {
      const { agentId, host, priority, haPortId, projectId } = e.data;
      const binding: HaBinding = { agentId, host, priority, haPortId, slot: lowestFreeSlot(bindings), state: 'standby' };
      const actives = activesOf(state).filter((h) => h !== host);
      return { status: 'scheduled', projectId, bindings: [...bindings.filter((b) => b.agentId !== agentId), binding], actives };
    }
    case 'RouterUnscheduledFromAgent': {
      if (state.status === 'unscheduled') return state;
      const rest = bindings.filter((b) => b.agentId !== e.data.agentId);
      const actives = state.actives.filter((h) => h !== e.data.host);
      return rest.length === 0 ? { status: 'unscheduled', projectId: state.projectId } : { ...state, bindings: rest, actives };
    }
    case 'RouterSchedulingPending':
      return { status: 'pending', projectId: e.data.projectId, bindings, actives: activesOf(state), reason: e.data.reason };
    case 'RouterHaStateReported': {
      if (state.status === 'unscheduled') return state;
      const { host, state: reported } = e.data;
      const others = state.actives.filter((h) => h !== host);
      return {
        ...state,
        bindings: bindings.map((b) => (b.host === host ? { ...b, state: reported } : b)),
        actives: reported === 'active' ? [...others, host] : others,
      };
    }
    default:
      return state;
  }
}

export const routerPlacementDecider: Decider<RouterPlacementCommand, RouterPlacementState, RouterPlacementEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'unscheduled', projectId: null }),
};
