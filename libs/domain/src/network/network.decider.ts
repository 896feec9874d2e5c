import type { DataOf, NetworkType } from '@cp/events';
import { assertNever, badRequest, conflict, notFound, type Decider, type Decision, type Events } from '../decider';

export type NetworkData = DataOf<'NetworkCreated'>;

export type NetworkState = { status: 'absent' } | { status: 'active'; network: NetworkData } | { status: 'deleted'; id: string };

export type NetworkCommand =
  | { type: 'CreateNetwork'; data: NetworkData }
  | { type: 'UpdateNetwork'; data: { id: string; changes: Events<'NetworkUpdated'>['data']['changes'] } }
  | {
      type: 'DeleteNetwork';
      /** Ports on the network other than its own service ports (Neutron: NetworkInUse). */
      data: { id: string; portsInUse: number };
    };

type NetworkEvent = Events<'NetworkCreated' | 'NetworkUpdated' | 'NetworkDeleted'>;

const SEGMENTATION_RANGES: Record<NetworkType, [number, number] | null> = {
  vxlan: [1, 16_777_215],
  geneve: [1, 16_777_215],
  gre: [1, 4_294_967_295],
  vlan: [1, 4094],
  flat: null,
  local: null,
};

export function validateSegment(type: NetworkType, segmentationId: number | null, physnet: string | null) {
  const range = SEGMENTATION_RANGES[type];
  if (range === null) {
    if (segmentationId !== null) return badRequest(`provider:segmentation_id must not be set for ${type} networks`, 'InvalidInput');
  } else if (segmentationId === null || segmentationId < range[0] || segmentationId > range[1]) {
    return badRequest(`provider:segmentation_id ${segmentationId} is out of range ${range[0]}-${range[1]} for ${type}`, 'InvalidInput');
  }
  if ((type === 'vlan' || type === 'flat') && !physnet) {
    return badRequest(`provider:physical_network is required for ${type} networks`, 'InvalidInput');
  }
  if (type !== 'vlan' && type !== 'flat' && physnet) {
    return badRequest(`provider:physical_network must not be set for ${type} networks`, 'InvalidInput');
  }
  return null;
}

function decide(command: NetworkCommand, state: NetworkState): Decision<NetworkEvent> {
  switch (command.type) {
    case 'CreateNetwork': {
      if (state.status !== 'absent') return conflict('NetworkExists', `Network ${command.data.id} already exists`);
      const d = command.data;
      const invalid = validateSegment(d.networkType, d.segmentationId, d.physicalNetwork);
      if (invalid) return invalid;
      return [{ type: 'NetworkCreated', data: d }];
    }
    case 'UpdateNetwork': {
      if (state.status !== 'active') return notFound('NetworkNotFound', `Network ${command.data.id} could not be found.`);
      const changes = Object.fromEntries(
        Object.entries(command.data.changes).filter(([k, v]) => state.network[k as keyof NetworkData] !== v),
      );
      // Nothing changes, nothing is recorded: the revision stays (a client retrying with If-Match gets no 412).
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'NetworkUpdated', data: { id: command.data.id, changes } }];
    }
    case 'DeleteNetwork': {
      if (state.status !== 'active') return notFound('NetworkNotFound', `Network ${command.data.id} could not be found.`);
      if (command.data.portsInUse > 0) {
        return conflict(
          'NetworkInUse',
          `Unable to complete operation on network ${command.data.id}. There are one or more ports still in use on the network.`,
        );
      }
      const n = state.network;
      return [
        {
          type: 'NetworkDeleted',
          data: { id: n.id, projectId: n.projectId, networkType: n.networkType, segmentationId: n.segmentationId },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: NetworkState, event: { type: string; data: unknown }): NetworkState {
  const e = event as NetworkEvent;
  switch (e.type) {
    case 'NetworkCreated':
      return { status: 'active', network: e.data };
    case 'NetworkUpdated':
      return state.status === 'active' ? { status: 'active', network: { ...state.network, ...e.data.changes } } : state;
    case 'NetworkDeleted':
      return { status: 'deleted', id: e.data.id };
    default:
      return state;
  }
}

export const networkDecider: Decider<NetworkCommand, NetworkState, NetworkEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
};
