import type { DataOf } from '@cp/events';
import { assertNever, type Decider, type Decision, type Events } from '../decider';
import { rankCandidates, type AgentCandidate } from '../ha/ranking';

export type DhcpUnscheduleReason = DataOf<'NetworkUnscheduledFromDhcpAgent'>['reason'];

export interface DhcpBinding {
  agentId: string;
  host: string;
}

/** The DHCP agents serving one network (stream `dhcp-network:<networkId>`). */
export interface DhcpNetworkState {
  bindings: readonly DhcpBinding[];
}

export type DhcpNetworkCommand =
  | {
      type: 'ScheduleNetwork';
      data: {
        networkId: string;
        projectId: string;
        /** Alive, enabled DHCP agents with their load (networks served); the decider ranks them. */
        candidates: readonly AgentCandidate[];
        /** Neutron's dhcp_agents_per_network. */
        agentsPerNetwork: number;
      };
    }
  | {
      type: 'UnscheduleNetwork';
      data: { networkId: string; projectId: string; agentIds: readonly string[]; reason: DhcpUnscheduleReason };
    };

export type DhcpNetworkEvent = Events<'NetworkScheduledToDhcpAgent' | 'NetworkUnscheduledFromDhcpAgent'>;

function decide(command: DhcpNetworkCommand, state: DhcpNetworkState): Decision<DhcpNetworkEvent> {
  switch (command.type) {
    case 'ScheduleNetwork': {
      const d = command.data;
      const bound = new Set(state.bindings.map((b) => b.agentId));
      const wanted = Math.max(0, d.agentsPerNetwork - state.bindings.length);
      return rankCandidates(d.candidates.filter((c) => !bound.has(c.agentId)))
        .slice(0, wanted)
        .map((c) => ({
          type: 'NetworkScheduledToDhcpAgent',
          data: { networkId: d.networkId, projectId: d.projectId, agentId: c.agentId, host: c.host },
        }));
    }
    case 'UnscheduleNetwork': {
      const { networkId, projectId, reason } = command.data;
      const gone = new Set(command.data.agentIds);
      return state.bindings
        .filter((b) => gone.has(b.agentId))
        .map((b) => ({
          type: 'NetworkUnscheduledFromDhcpAgent',
          data: { networkId, projectId, agentId: b.agentId, host: b.host, reason },
        }));
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: DhcpNetworkState, event: { type: string; data: unknown }): DhcpNetworkState {
  const e = event as DhcpNetworkEvent;
  switch (e.type) {
    case 'NetworkScheduledToDhcpAgent': {
      const { agentId, host } = e.data;
      return { bindings: [...state.bindings.filter((b) => b.agentId !== agentId), { agentId, host }] };
    }
    case 'NetworkUnscheduledFromDhcpAgent':
      return { bindings: state.bindings.filter((b) => b.agentId !== e.data.agentId) };
    default:
      return state;
  }
}

/** Neutron's DHCP agent scheduler, as a decider: least loaded agents first, up to dhcp_agents_per_network. */
export const dhcpNetworkDecider: Decider<DhcpNetworkCommand, DhcpNetworkState, DhcpNetworkEvent> = {
  decide,
  evolve,
  initialState: () => ({ bindings: [] }),
};
