import type { FixedIp } from '@cp/events';
import type { Events } from '../decider';
import type { RouterData } from './router.commands';

export interface RouterInterface {
  networkId: string;
  subnetIds: readonly string[];
}

export interface RouterGateway {
  networkId: string;
  portId: string;
  enableSnat: boolean;
  externalFixedIps: readonly FixedIp[];
}

export type RouterState =
  | { status: 'absent' }
  | {
      status: 'active';
      router: RouterData;
      /** By interface port id. */
      interfaces: Readonly<Record<string, RouterInterface>>;
      gateway: RouterGateway | null;
    }
  | { status: 'deleted'; id: string };

export type ActiveRouter = Extract<RouterState, { status: 'active' }>;

export type RouterEvent = Events<
  | 'RouterCreated'
  | 'RouterUpdated'
  | 'RouterInterfaceAdded'
  | 'RouterInterfaceRemoved'
  | 'RouterGatewaySet'
  | 'RouterGatewayCleared'
  | 'RouterDeleted'
>;

export function evolveRouter(state: RouterState, event: { type: string; data: unknown }): RouterState {
  const e = event as RouterEvent;
  if (e.type === 'RouterCreated') return { status: 'active', router: e.data, interfaces: {}, gateway: null };
  if (e.type === 'RouterDeleted') return { status: 'deleted', id: e.data.id };
  if (state.status !== 'active') return state;
  switch (e.type) {
    case 'RouterUpdated':
      return { ...state, router: { ...state.router, ...e.data.changes } };
    case 'RouterInterfaceAdded': {
      // Merging keeps an IPv6 prefix added to an existing port from replacing its others.
      const before = state.interfaces[e.data.portId]?.subnetIds ?? [];
      const subnetIds = [...before, ...e.data.subnetIds.filter((s) => !before.includes(s))];
      return { ...state, interfaces: { ...state.interfaces, [e.data.portId]: { networkId: e.data.networkId, subnetIds } } };
    }
    case 'RouterInterfaceRemoved': {
      // The event names the subnets that left; the interface (and its port) goes with the last one.
      const { [e.data.portId]: removed, ...others } = state.interfaces;
      if (!removed) return state;
      const subnetIds = removed.subnetIds.filter((s) => !e.data.subnetIds.includes(s));
      const interfaces = subnetIds.length > 0 ? { ...others, [e.data.portId]: { ...removed, subnetIds } } : others;
      return { ...state, interfaces };
    }
    case 'RouterGatewaySet': {
      const { networkId, portId, enableSnat, externalFixedIps } = e.data;
      return { ...state, gateway: { networkId, portId, enableSnat, externalFixedIps } };
    }
    case 'RouterGatewayCleared':
      return { ...state, gateway: null };
    default:
      return state;
  }
}
