import {
  bindingsOf,
  lowestFreeVrid,
  vridOf,
  type AgentCandidate,
  type HaNetworkState,
  type RouterPlacementCommand,
  type RouterPlacementState,
  type UnscheduleReason,
} from '@cp/domain';

/** A project HA network as loaded for a decision. */
export interface NetworkSnapshot {
  id: string;
  index: number;
  state: HaNetworkState;
}

/**
 * What the router needs: an HA router holds a VRID and runs on several agents with
 * an HA port each; a legacy router runs on one agent and holds no VRID (Neutron's
 * default `router_auto_schedule`); a deleted one runs nowhere.
 */
export type RouterMode = 'ha' | 'legacy' | 'deleted';

/** A legacy router runs on exactly one L3 agent, as in Neutron. */
export const LEGACY_AGENTS = 1;

export interface PlanInput {
  routerId: string;
  projectId: string;
  mode: RouterMode;
  /** Top the router up to max agents even if it has enough (a new agent joined). */
  fill: boolean;
  placement: RouterPlacementState;
  /** The project's HA networks, by index. */
  networks: readonly NetworkSnapshot[];
  candidates: readonly AgentCandidate[];
  /** Bound agents that must go, with why. */
  evacuate: ReadonlyMap<string, UnscheduleReason>;
  /** For HA routers; legacy ones run on LEGACY_AGENTS. */
  limits: { max: number; min: number; priority: number };
  haPortId(agentId: string): string;
}

/** What happens to the router's VRID. */
export type VridStep =
  | { action: 'keep' }
  | { action: 'release'; network: NetworkSnapshot }
  | { action: 'allocate'; network: NetworkSnapshot }
  /** Every HA network of the project is full (255 VRIDs each): open the one at `index`, then allocate there. */
  | { action: 'open'; index: number };

export interface RouterPlan {
  vrid: VridStep;
  /** Commands for the router's placement stream, decided in this order. */
  placement: RouterPlacementCommand[];
}

/**
 * What one router's recorded decisions must become so that they match the
 * facts: a VRID while it is an HA router (none otherwise), and bindings to alive
 * agents (HA bindings with an HA port, or the one legacy binding). Pure: the
 * command handler (reconcile-router.ts) loads what it needs, asks this, and runs
 * the steps through the deciders.
 */
export function planRouter(input: PlanInput): RouterPlan {
  const { routerId, projectId, placement, mode } = input;
  const home = input.networks.find((n) => vridOf(n.state, routerId) !== null) ?? null;
  if (mode === 'deleted') {
    return {
      vrid: home ? { action: 'release', network: home } : { action: 'keep' },
      placement: [{ type: 'UnscheduleRouter', data: { routerId, reason: 'router_deleted' } }],
    };
  }
  const ha = mode === 'ha';
  let vrid: VridStep = { action: 'keep' };
  if (!ha && home) vrid = { action: 'release', network: home };
  if (ha && !home) {
    const roomy = input.networks.find((n) => lowestFreeVrid(n.state) !== null);
    const next = input.networks.length === 0 ? 0 : Math.max(...input.networks.map((n) => n.index)) + 1;
    vrid = roomy ? { action: 'allocate', network: roomy } : { action: 'open', index: next };
  }
  const limits = ha ? input.limits : { max: LEGACY_AGENTS, min: LEGACY_AGENTS, priority: input.limits.priority };

  const commands: RouterPlacementCommand[] = [];
  const before = bindingsOf(placement);
  const byReason = new Map<UnscheduleReason, string[]>();
  for (const b of before) {
    // A binding of the other kind goes: the router's `ha` changed (HA bindings have an HA port, legacy ones none).
    const reason = input.evacuate.get(b.agentId) ?? ((b.haPortId !== null) !== ha ? (ha ? 'router_made_ha' : 'router_not_ha') : undefined);
    if (reason) byReason.set(reason, [...(byReason.get(reason) ?? []), b.agentId]);
  }
  for (const [reason, agentIds] of byReason) commands.push({ type: 'UnscheduleFromAgents', data: { routerId, agentIds, reason } });
  const evacuated = [...byReason.values()].reduce((n, ids) => n + ids.length, 0);
  const remaining = before.length - evacuated;
  // Routers that still run on enough agents stay put: a revived agent takes nothing back.
  if (remaining === 0 || evacuated > 0 || remaining < limits.min || input.fill) {
    const candidates = input.candidates.filter((c) => !input.evacuate.has(c.agentId));
    commands.push({
      type: 'ScheduleRouter',
      data: {
        routerId,
        projectId,
        candidates,
        maxAgents: limits.max,
        minAgents: limits.min,
        priority: limits.priority,
        haPortIds: ha ? Object.fromEntries(candidates.map((c) => [c.agentId, input.haPortId(c.agentId)])) : {},
      },
    });
  }
  return { vrid, placement: commands };
}
