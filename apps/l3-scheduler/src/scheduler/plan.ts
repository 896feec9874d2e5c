import type { DomainEventBody } from '@cp/events';
import { isRejection, type Decision, bindingsOf, decideAll, evolveAll, haNetworkDecider, haNetworkResources, haPortCreated, haPortDeleted, lowestFreeVrid, routerPlacementDecider, vridOf, type AgentCandidate, type HaNetworkState, type RouterPlacementCommand, type RouterPlacementState, type UnscheduleReason } from '@cp/domain';
import type { StreamAppend } from '@cp/store';
import { streams } from '../ids';

/** A project HA network as the scheduler last folded it. */
export interface NetworkSnapshot {
  id: string;
  index: number;
  state: HaNetworkState;
  version: number;
}

export interface PlanInput {
  routerId: string;
  projectId: string;
  /** The router exists and is HA: it must hold a VRID and be placed. */
  wantHa: boolean;
  deleted: boolean;
  /** Top the router up to max agents even if it has enough (a new agent joined). */
  fill: boolean;
  placement: { state: RouterPlacementState; version: number };
  /** The project's HA networks, by index. */
  networks: readonly NetworkSnapshot[];
  candidates: readonly AgentCandidate[];
  /** Bound agents that must go, with why. */
  evacuate: ReadonlyMap<string, UnscheduleReason>;
  limits: { max: number; min: number; priority: number };
  newNetwork(index: number): { networkId: string; subnetId: string; segmentationId: number; mtu: number };
  newPortId(agentId: string): string;
}

function must<E>(d: Decision<E & DomainEventBody>): E[] {
  // The plan only issues commands its own checks allow; a rejection here is a bug.
  if (isRejection(d)) throw new Error(`scheduler plan rejected: ${d.type}: ${d.message}`);
  return d;
}

/**
 * What to append for one router so that its recorded decisions match the facts:
 * a VRID while it is an HA router (none otherwise), and bindings to alive agents.
 * Pure: everything it needs is in `input`; an empty result means nothing to do.
 */
export function planRouter(input: PlanInput): StreamAppend[] {
  const { routerId, projectId, placement } = input;
  const before = bindingsOf(placement.state);
  const front: StreamAppend[] = [];
  const netEvents: DomainEventBody[] = [];
  let home = input.networks.find((n) => vridOf(n.state, routerId) !== null) ?? null;

  const commands: RouterPlacementCommand[] = [];
  if (!input.wantHa) {
    commands.push({ type: 'UnscheduleRouter', data: { routerId, reason: input.deleted ? 'router_deleted' : 'router_not_ha' } });
    if (home) netEvents.push(...must(haNetworkDecider.decide({ type: 'ReleaseVrid', data: { routerId } }, home.state)));
  } else {
    if (!home) {
      home = input.networks.find((n) => lowestFreeVrid(n.state) !== null) ?? null;
      if (!home) {
        // Every HA network of the project is full (255 VRIDs each): open the next one.
        const index = input.networks.length === 0 ? 0 : Math.max(...input.networks.map((n) => n.index)) + 1;
        const spec = input.newNetwork(index);
        const r = haNetworkResources({ ...spec, projectId, index });
        front.push({ streamId: streams.network(spec.networkId), expectedVersion: 0, events: [r.network] });
        front.push({ streamId: streams.subnet(spec.subnetId), expectedVersion: 0, events: [r.subnet] });
        const created = must(haNetworkDecider.decide({ type: 'CreateHaNetwork', data: r.haNetwork }, haNetworkDecider.initialState()));
        netEvents.push(...created);
        home = { id: spec.networkId, index, version: 0, state: evolveAll(haNetworkDecider, haNetworkDecider.initialState(), created) };
      }
      const allocated = must(haNetworkDecider.decide({ type: 'AllocateVrid', data: { routerId } }, home.state));
      netEvents.push(...allocated);
      // Keep the version the decision was made on (the append checks it); fold the VRID in for the ports.
      home = { ...home, state: evolveAll(haNetworkDecider, home.state, allocated) };
    }
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
          routerId, projectId, candidates, maxAgents: input.limits.max, minAgents: input.limits.min, priority: input.limits.priority,
          haPortIds: Object.fromEntries(candidates.map((c) => [c.agentId, input.newPortId(c.agentId)])),
        },
      });
    }
  }

  const haEvents = must(decideAll(routerPlacementDecider, placement.state, commands));
  const ports = home ? portChanges(placement.state, haEvents, home, routerId, projectId) : [];
  const appends = [...front];
  if (netEvents.length > 0 && home) appends.push({ streamId: streams.haNetwork(home.id), expectedVersion: home.version, events: netEvents });
  if (haEvents.length > 0) appends.push({ streamId: streams.routerHa(routerId), expectedVersion: placement.version, events: haEvents });
  return [...appends, ...ports];
}

/** HA ports follow bindings: created and bound with a new binding, deleted with a removed one. */
function portChanges(
  state: RouterPlacementState,
  haEvents: readonly DomainEventBody[],
  home: NetworkSnapshot,
  routerId: string,
  projectId: string,
): StreamAppend[] {
  const net = home.state.status === 'active' ? home.state.network : null;
  const vrid = vridOf(home.state, routerId);
  if (!net) return [];
  const out: StreamAppend[] = [];
  let current = state;
  for (const e of haEvents) {
    const previous = bindingsOf(current);
    current = routerPlacementDecider.evolve(current, e);
    if (e.type === 'RouterScheduledToAgent' && e.data.haPortId && vrid !== null) {
      const b = bindingsOf(current).find((x) => x.agentId === e.data.agentId)!;
      const events = haPortCreated({
        portId: e.data.haPortId, haNetworkId: net.networkId, subnetId: net.subnetId, routerId, projectId, host: b.host, vrid, slot: b.slot,
      });
      out.push({ streamId: streams.port(e.data.haPortId), expectedVersion: 0, events });
    } else if (e.type === 'RouterUnscheduledFromAgent') {
      const gone = previous.find((x) => x.agentId === e.data.agentId);
      // The port's stream also holds the L2 agent's up/down reports, so its version is not ours to check.
      if (gone?.haPortId) out.push({ streamId: streams.port(gone.haPortId), expectedVersion: 'any', events: [haPortDeleted(gone.haPortId, net.networkId, gone.host)] });
    }
  }
  return out;
}
