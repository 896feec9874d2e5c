import type { DataOf } from '@cp/events';
import { assertNever, conflict, notFound, type Decider, type Decision, type Events } from '../decider';

/**
 * One HA network of a project (stream `ha-network:<id>`): the VRRP ids of the
 * routers on it. VRID uniqueness is this aggregate's invariant, so every
 * allocation is an append to this one stream with its expected version: two
 * schedulers allocating at once cannot both win.
 */
export type HaNetworkInfo = DataOf<'HaNetworkCreated'>;

/** RFC 5798: the VRID field is 8 bits and 0 is reserved, so 1-255 are usable. */
export const VRID_MIN = 1;
export const VRID_MAX = 255;
export const VRIDS_PER_NETWORK = VRID_MAX - VRID_MIN + 1;

export type HaNetworkState =
  | { status: 'absent' }
  | { status: 'active'; network: HaNetworkInfo; vrids: Readonly<Record<string, number>> }
  | { status: 'deleted'; id: string };

export type HaNetworkCommand =
  | { type: 'CreateHaNetwork'; data: HaNetworkInfo }
  | { type: 'AllocateVrid'; data: { routerId: string } }
  | { type: 'ReleaseVrid'; data: { routerId: string } };

export type HaNetworkEvent = Events<'HaNetworkCreated' | 'HaNetworkDeleted' | 'VridAllocated' | 'VridReleased'>;

/** Lowest free VRID (deterministic, unlike Neutron's random pick), or null when full. */
export function lowestFreeVrid(state: HaNetworkState): number | null {
  if (state.status !== 'active') return null;
  const used = new Set(Object.values(state.vrids));
  for (let v = VRID_MIN; v <= VRID_MAX; v++) if (!used.has(v)) return v;
  return null;
}

export function vridOf(state: HaNetworkState, routerId: string): number | null {
  return state.status === 'active' ? (state.vrids[routerId] ?? null) : null;
}

const missing = (id: string) => notFound('HaNetworkNotFound', `HA network ${id} could not be found.`);

function decide(command: HaNetworkCommand, state: HaNetworkState): Decision<HaNetworkEvent> {
  switch (command.type) {
    case 'CreateHaNetwork':
      if (state.status !== 'absent') return conflict('HaNetworkExists', `HA network ${command.data.id} already exists`);
      return [{ type: 'HaNetworkCreated', data: command.data }];
    case 'AllocateVrid': {
      if (state.status !== 'active') return missing(command.data.routerId);
      const { routerId } = command.data;
      const existing = vridOf(state, routerId);
      if (existing !== null) {
        return conflict('VridAlreadyAllocated', `Router ${routerId} already has VRID ${existing} in HA network ${state.network.id}`);
      }
      const vrid = lowestFreeVrid(state);
      // Neutron's name for the same condition; the scheduler reacts by opening the next HA network.
      if (vrid === null) return conflict('NoVRIDAvailable', `No more VRIDs for router ${routerId}: HA network ${state.network.id} is full`);
      const { projectId, id: haNetworkId } = state.network;
      return [{ type: 'VridAllocated', data: { projectId, haNetworkId, routerId, vrid } }];
    }
    case 'ReleaseVrid': {
      if (state.status !== 'active') return missing(command.data.routerId);
      const vrid = vridOf(state, command.data.routerId);
      if (vrid === null) {
        return notFound('VridNotAllocated', `Router ${command.data.routerId} has no VRID in HA network ${state.network.id}`);
      }
      const { projectId, id: haNetworkId } = state.network;
      return [{ type: 'VridReleased', data: { projectId, haNetworkId, routerId: command.data.routerId, vrid } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: HaNetworkState, event: { type: string; data: unknown }): HaNetworkState {
  const e = event as HaNetworkEvent;
  switch (e.type) {
    case 'HaNetworkCreated':
      return { status: 'active', network: e.data, vrids: {} };
    case 'HaNetworkDeleted':
      return { status: 'deleted', id: e.data.id };
    case 'VridAllocated':
      return state.status === 'active' ? { ...state, vrids: { ...state.vrids, [e.data.routerId]: e.data.vrid } } : state;
    case 'VridReleased': {
      if (state.status !== 'active' || state.vrids[e.data.routerId] !== e.data.vrid) return state;
      const { [e.data.routerId]: _released, ...rest } = state.vrids;
      return { ...state, vrids: rest };
    }
    default:
      return state;
  }
}

export const haNetworkDecider: Decider<HaNetworkCommand, HaNetworkState, HaNetworkEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
};
