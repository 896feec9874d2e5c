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

export interface PlanInput {
  routerId: string;
  projectId: string;
  /** The router exists and is HA: it must hold a VRID and be placed. */
  wantHa: boolean;
  deleted: boolean;
  /** Top the router up to max agents even if it has enough (a new agent joined). */
  fill: boolean;
  placement: RouterPlacementState;
  /** The project's HA networks, by index. */
  networks: readonly NetworkSnapshot[];
  candidates: readonly AgentCandidate[];
  /** Bound agents that must go, with why. */
  evacuate: ReadonlyMap<string, UnscheduleReason>;
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
 * agents. Pure: the command handler (reconcile-router.ts) loads what it needs,
 * asks this, and runs the steps through the deciders.
 */
export function planRouter(input: PlanInput): RouterPlan {
  const { routerId, projectId, placement } = input;
  const home = input.networks.find((n) => vridOf(n.state, routerId) !== null) ?? null;
  if (!input.wantHa) {
    return {
      vrid: home ? { action: 'release', network: home } : { action: 'keep' },
      placement: [{ type: 'UnscheduleRouter', data: { routerId, reason: input.deleted ? 'router_deleted' : 'router_not_ha' } }],
    };
  }
  let vrid: VridStep = { action: 'keep' };
  if (!home) {
    const roomy = input.networks.find((n) => lowestFreeVrid(n.state) !== null);
    const next = input.networks.length === 0 ? 0 : Math.max(...input.networks.map((n) => n.index)) + 1;
    vrid = roomy ? { action: 'allocate', network: roomy } : { action: 'open', index: next };
  }

  const commands: RouterPlacementCommand[] = [];
  const before = bindingsOf(placement);
  const byReason = new Map<UnscheduleReason, string[]>();
  for (const b of before) {
    const reason = input.evacuate.get(b.agentId);
    if (reason) byReason.set(reason, [...(byReason.get(reason) ?? []), b.agentId]);
  }
  for (const [reason, agentIds] of byReason) commands.push({ type: 'UnscheduleFromAgents', data: { routerId, agentIds, reason } });
  const evacuated = [...byReason.values()].reduce((n, ids) => n + ids.length, 0);
  const remaining = before.length - evacuated;
  // Routers that still run on enough agents stay put: a revived agent takes nothing back.
  if (remaining === 0 || evacuated > 0 || remaining < input.limits.min || input.fill) {
    const candidates = input.candidates.filter((c) => !input.evacuate.has(c.agentId));
    commands.push({
      type: 'ScheduleRouter',
      data: {
        routerId,
        projectId,
        candidates,
        maxAgents: input.limits.max,
        minAgents: input.limits.min,
        priority: input.limits.priority,
        haPortIds: Object.fromEntries(candidates.map((c) => [c.agentId, input.haPortId(c.agentId)])),
      },
    });
  }
  return { vrid, placement: commands };
}
