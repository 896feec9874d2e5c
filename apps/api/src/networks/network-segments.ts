import { checkPhysicalNetwork, vlanPools, type PhysicalNetworks } from '@cp/domain';
import type { NetworkType } from '@cp/events';
import { fail, NETWORK, type SegmentAllocations, type UnitOfWork } from '@cp/write-model';

export interface Segment {
  segmentationId: number | null;
  physicalNetwork: string | null;
}

export interface SegmentSettings {
  vniRange: readonly [number, number];
  physicalNetworks: PhysicalNetworks;
}

const NO_NETWORK = 'Unable to create the network. No tenant network is available for allocation.';

/**
 * A new network's segment, as ML2's type drivers reserve it: the physical network checked
 * against the settings, a given id checked free, a missing one allocated (the lowest free
 * VNI, or the lowest free VLAN of the physical network's pools). Segments this command
 * already took (an earlier network of a bulk create) count as taken: the allocation index
 * only learns of them when the command commits.
 */
export async function reserveSegment(
  uow: UnitOfWork,
  segments: SegmentAllocations,
  settings: SegmentSettings,
  type: NetworkType,
  requested: Segment,
): Promise<Segment> {
  const { physicalNetwork: physnet, segmentationId: given } = requested;
  const invalid = checkPhysicalNetwork(type, physnet, given, settings.physicalNetworks);
  if (invalid) fail(invalid.status, invalid.type, invalid.message);
  if (type === 'flat') {
    if (physnet !== null && (await flatInUse(uow, physnet))) {
      fail(409, 'FlatNetworkInUse', `Unable to create the flat network. Physical network ${physnet} is in use.`);
    }
    return requested;
  }
  if (given !== null) {
    if (claimed(uow, type, physnet).has(given) || (await segments.isTaken(uow.tx, type, physnet, given))) {
      if (type === 'vlan') {
        fail(409, 'VlanIdInUse', `Unable to create the network. The VLAN ${given} on physical network ${physnet} is in use.`);
      }
      fail(409, 'SegmentationIdInUse', `Unable to create the network. The ${type} ${given} is in use.`);
    }
    return requested;
  }
  if (type === 'local') return requested;
  const pools =
    type === 'vlan'
      ? vlanPools(settings.physicalNetworks, physnet)
      : [{ physnet: null, min: settings.vniRange[0], max: settings.vniRange[1] }];
  for (const pool of pools) {
    const free = await lowestUnclaimed(uow, segments, type, pool.physnet, pool.min, pool.max);
    // A tunnel keeps the physnet it was asked for, wrongly, so the decider refuses it.
    if (free !== null) return { segmentationId: free, physicalNetwork: pool.physnet ?? physnet };
  }
  fail(503, 'NoNetworkAvailable', NO_NETWORK);
}

async function lowestUnclaimed(
  uow: UnitOfWork,
  segments: SegmentAllocations,
  type: NetworkType,
  physnet: string | null,
  min: number,
  max: number,
): Promise<number | null> {
  const mine = claimed(uow, type, physnet);
  for (let from = min; from <= max;) {
    const free = await segments.lowestFree(uow.tx, type, physnet, from, max);
    if (free === null || !mine.has(free)) return free;
    from = free + 1;
  }
  return null;
}

/** Ids this command's earlier networks took on a type and physical network. */
function claimed(uow: UnitOfWork, type: NetworkType, physnet: string | null): Set<number | null> {
  return new Set(
    uow.decisions.flatMap(({ event }) =>
      event.type === 'NetworkCreated' && event.data.networkType === type && event.data.physicalNetwork === physnet
        ? [event.data.segmentationId]
        : [],
    ),
  );
}

/**
 * One flat network per physical network (Neutron's FlatNetworkInUse). Read from the
 * networks themselves rather than an index: flat networks are few and admin-made, and
 * writers are serialised, so what this transaction reads is current.
 */
async function flatInUse(uow: UnitOfWork, physnet: string): Promise<boolean> {
  const isFlatOn = (type: unknown, net: unknown) => type === 'flat' && net === physnet;
  if (uow.decisions.some(({ event }) => event.type === 'NetworkCreated' && isFlatOn(event.data.networkType, event.data.physicalNetwork))) {
    return true;
  }
  const networks = await uow.resources.list(NETWORK, {}, uow.tx);
  return networks.some((n) => isFlatOn(n['provider:network_type'], n['provider:physical_network']));
}
