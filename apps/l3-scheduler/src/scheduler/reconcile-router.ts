import {
  bindingsOf,
  evolveAll,
  HA_DEFAULT_PRIORITY,
  haNetworkDecider,
  haNetworkRequests,
  haPortRequest,
  networkDecider,
  portDecider,
  routerPlacementDecider,
  routerPortsHost,
  subnetDecider,
  vridOf,
  type AgentCandidate,
  type RouterPlacementEvent,
  type RouterPlacementState,
  type UnscheduleReason,
} from '@cp/domain';
import {
  bindRouterPorts,
  createPortInUow,
  deletePortInUow,
  RejectionError,
  haNetworkStream,
  networkStream,
  portStream,
  routerHaStream,
  subnetStream,
  type SegmentAllocations,
  type UnitOfWork,
} from '@cp/write-model';
import type { L3Config } from '../config';
import { haNetworkIds, haPortId, haVniCandidates } from '../ids';
import { planRouter, type NetworkSnapshot, type RouterMode } from './plan';

export interface ReconcileRouter {
  routerId: string;
  projectId: string;
  mode: RouterMode;
  fill: boolean;
  candidates: readonly AgentCandidate[];
  /** Which of the bound agents must give the router up, and why. */
  evacuations(agentIds: readonly string[]): Map<string, UnscheduleReason>;
  config: L3Config;
  segments: SegmentAllocations;
}

/**
 * The scheduler's command for one router, run by the command runner like any
 * API command: load the router's placement and its project's HA networks inside
 * the transaction, plan, and decide each step on its stream (a new HA network
 * through the network, subnet and HA network deciders; HA ports through the port
 * decider). Appends nothing when the recorded decisions already match.
 */
export async function reconcileRouter(uow: UnitOfWork, input: ReconcileRouter): Promise<void> {
  const { routerId, projectId, config } = input;
  const placementStream = routerHaStream(routerId);
  const placement = await uow.load(routerPlacementDecider, placementStream);
  const decidedAt = uow.versionOf(placementStream);
  const plan = planRouter({
    ...input,
    placement,
    networks: await projectHaNetworks(uow, projectId),
    evacuate: input.evacuations(bindingsOf(placement).map((b) => b.agentId)),
    limits: { max: config.maxL3AgentsPerRouter, min: config.minL3AgentsPerRouter, priority: HA_DEFAULT_PRIORITY },
    // A router that comes back to an agent later gets a new port, never a deleted port's stream.
    haPortId: (agentId) => haPortId(routerId, agentId, decidedAt),
  });

  const step = plan.vrid;
  if (step.action === 'release') {
    await uow.decide(haNetworkDecider, haNetworkStream(step.network.id), { type: 'ReleaseVrid', data: { routerId } });
  } else if (step.action !== 'keep') {
    const network = step.action === 'open' ? await openHaNetwork(uow, input, step.index) : step.network;
    await uow.decide(haNetworkDecider, haNetworkStream(network.id), { type: 'AllocateVrid', data: { routerId } });
  }
  const events: RouterPlacementEvent[] = [];
  for (const command of plan.placement) events.push(...(await uow.decide(routerPlacementDecider, placementStream, command)));
  // The network holding the router's VRID now (none once released); the streams are already loaded in this command.
  const home = (await projectHaNetworks(uow, projectId)).find((n) => vridOf(n.state, routerId) !== null) ?? null;
  await followWithPorts(uow, placement, events, home, routerId, projectId);
  // A legacy router's ports follow its agent; an HA router's stay with its active instance, or go when it runs nowhere.
  if (events.length > 0) await bindRouterPorts(uow, routerId, routerPortsHost(await uow.load(routerPlacementDecider, placementStream)));
}

/** The project's HA networks: their ids derive from (project, index), so read index 0, 1, ... until one is absent. */
async function projectHaNetworks(uow: UnitOfWork, projectId: string): Promise<NetworkSnapshot[]> {
  const out: NetworkSnapshot[] = [];
  for (let index = 0; ; index++) {
    const id = haNetworkIds(projectId, index).networkId;
    const state = await uow.load(haNetworkDecider, haNetworkStream(id));
    if (state.status === 'absent') return out;
    out.push({ id, index, state });
  }
}

/** The project's next HA network cannot be made; the router waits, and says why (design.md §4). */
export class HaNetworkUnavailable extends Error {
  override name = 'HaNetworkUnavailable';
}

/** A new HA network for the project: its Neutron network and subnet, then the HA network that holds VRIDs. */
async function openHaNetwork(uow: UnitOfWork, input: ReconcileRouter, index: number): Promise<NetworkSnapshot> {
  try {
    return await createHaNetwork(uow, input, index);
  } catch (err) {
    if (!(err instanceof RejectionError) && !(err instanceof HaNetworkUnavailable)) throw err;
    const { networkId } = haNetworkIds(input.projectId, index);
    throw new HaNetworkUnavailable(`HA network ${networkId} of project ${input.projectId} cannot be created: ${err.message}`);
  }
}

async function createHaNetwork(uow: UnitOfWork, input: ReconcileRouter, index: number): Promise<NetworkSnapshot> {
  const { networkId, subnetId } = haNetworkIds(input.projectId, index);
  const segmentationId = await freeHaVni(input, uow, networkId);
  const r = haNetworkRequests({ networkId, subnetId, projectId: input.projectId, index, segmentationId, mtu: input.config.haNetworkMtu });
  await uow.decide(networkDecider, networkStream(networkId), { type: 'CreateNetwork', data: r.network });
  await uow.decide(subnetDecider, subnetStream(subnetId), {
    type: 'CreateSubnet',
    data: r.subnet,
    facts: { network: r.network, existingCidrs: [] },
  });
  const created = await uow.decide(haNetworkDecider, haNetworkStream(networkId), { type: 'CreateHaNetwork', data: r.haNetwork });
  return { id: networkId, index, state: evolveAll(haNetworkDecider, haNetworkDecider.initialState(), created) };
}

/** The first VNI of the network's hash order in the HA range that no network holds (read in this transaction). */
async function freeHaVni(input: ReconcileRouter, uow: UnitOfWork, networkId: string): Promise<number> {
  for (const vni of haVniCandidates(networkId, input.config.haVniRange)) {
    if (!(await input.segments.isTaken(uow.tx, 'vxlan', null, vni))) return vni;
  }
  const [min, max] = input.config.haVniRange;
  throw new HaNetworkUnavailable(`no free VNI left in the HA range ${min}:${max}`);
}

/** HA ports follow bindings: created and bound with a new binding, deleted with a removed one. */
export async function followWithPorts(
  uow: UnitOfWork,
  before: RouterPlacementState,
  events: readonly RouterPlacementEvent[],
  home: NetworkSnapshot | null,
  routerId: string,
  projectId: string,
): Promise<void> {
  const net = home?.state.status === 'active' ? home.state.network : null;
  const vrid = home ? vridOf(home.state, routerId) : null;
  let current = before;
  for (const e of events) {
    const previous = bindingsOf(current);
    current = routerPlacementDecider.evolve(current, e);
    if (e.type === 'RouterScheduledToAgent' && e.data.haPortId && net && vrid !== null) {
      const binding = bindingsOf(current).find((b) => b.agentId === e.data.agentId)!;
      const port = haPortRequest({
        portId: e.data.haPortId,
        haNetworkId: net.networkId,
        subnetId: net.subnetId,
        routerId,
        projectId,
        host: binding.host,
        vrid,
        slot: binding.slot,
      });
      await createPortInUow(uow, port);
    } else if (e.type === 'RouterUnscheduledFromAgent') {
      const gone = previous.find((b) => b.agentId === e.data.agentId);
      // An admin may have deleted the port already; there is nothing left to remove then.
      if (gone?.haPortId && (await uow.load(portDecider, portStream(gone.haPortId))).status === 'active') {
        await deletePortInUow(uow, gone.haPortId);
      }
    }
  }
}
