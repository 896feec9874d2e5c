import type { DataOf } from '@cp/events';
import { assertNever, notFound, type Decider, type Decision, type Events } from '../decider';
import { checkReport, pickConfig, sameConfig } from './agent-config';
import type { AgentCommand, AgentKey } from './agent.commands';

export type AgentRecord = DataOf<'AgentRegistered'>;

export type AgentState =
  | { status: 'absent' }
  | {
      status: 'registered';
      agent: AgentRecord;
      alive: boolean;
      adminStateUp: boolean;
      description: string;
      /** The heartbeat that last made the agent alive. */
      aliveSince: string | null;
    }
  /** A deleted agent that reports again is registered anew, with a new id, as in Neutron. */
  | { status: 'deleted'; id: string };

export type AgentEvent = Events<
  | 'AgentRegistered'
  | 'AgentConfigurationChanged'
  | 'AgentAlive'
  | 'AgentDead'
  | 'AgentAdminStateChanged'
  | 'AgentDescriptionChanged'
  | 'AgentDeleted'
>;

const notFoundByKey = ({ agentType, host }: AgentKey) =>
  notFound('AgentNotFoundByTypeHost', `Agent with agent_type=${agentType} and host=${host} could not be found`);

function decide(command: AgentCommand, state: AgentState): Decision<AgentEvent> {
  switch (command.type) {
    case 'ReportAgentState': {
      const { agentType, host, now, newAgentId, adminStateUpIfNew = true } = command.data;
      const invalid = checkReport(command.data);
      if (invalid) return invalid;
      const config = pickConfig(command.data);
      if (state.status !== 'registered') {
        const ref = { id: newAgentId, agentType, host };
        // Admin state before liveness: nothing should schedule onto an agent born disabled.
        return [
          { type: 'AgentRegistered', data: { ...ref, ...config } },
          ...(adminStateUpIfNew ? [] : [{ type: 'AgentAdminStateChanged' as const, data: { ...ref, adminStateUp: false } }]),
          { type: 'AgentAlive', data: { ...ref, heartbeatAt: now } },
        ];
      }
      const ref = { id: state.agent.id, agentType, host };
      const events: AgentEvent[] = [];
      // Configuration first, so whoever reacts to a revival sees the agent as it is now.
      if (!sameConfig(state.agent, config)) events.push({ type: 'AgentConfigurationChanged', data: { ...ref, ...config } });
      if (!state.alive) events.push({ type: 'AgentAlive', data: { ...ref, heartbeatAt: now } });
      return events; // a plain heartbeat is not an event
    }
    case 'MarkAgentDead': {
      const { lastHeartbeatAt } = command.data;
      if (state.status !== 'registered') return notFoundByKey(command.data);
      if (!state.alive) return [];
      // Heartbeats do not touch the stream, so the expected-version check cannot catch a
      // monitor whose view predates the agent's revival; the revival time can.
      if (state.aliveSince !== null && Date.parse(lastHeartbeatAt) < Date.parse(state.aliveSince)) return [];
      const { id, agentType, host } = state.agent;
      return [{ type: 'AgentDead', data: { id, agentType, host, lastHeartbeatAt } }];
    }
    case 'SetAgentAdminState': {
      const { id, adminStateUp } = command.data;
      if (state.status !== 'registered' || state.agent.id !== id) return notFound('AgentNotFound', `Agent ${id} could not be found`);
      if (state.adminStateUp === adminStateUp) return [];
      const { agentType, host } = state.agent;
      return [{ type: 'AgentAdminStateChanged', data: { id, agentType, host, adminStateUp } }];
    }
    case 'SetAgentDescription': {
      const { id, description } = command.data;
      if (state.status !== 'registered' || state.agent.id !== id) return notFound('AgentNotFound', `Agent ${id} could not be found`);
      if (state.description === description) return [];
      const { agentType, host } = state.agent;
      return [{ type: 'AgentDescriptionChanged', data: { id, agentType, host, description } }];
    }
    case 'DeleteAgent': {
      const { id } = command.data;
      if (state.status !== 'registered' || state.agent.id !== id) return notFound('AgentNotFound', `Agent ${id} could not be found`);
      const { agentType, host } = state.agent;
      return [{ type: 'AgentDeleted', data: { id, agentType, host } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: AgentState, event: { type: string; data: unknown }): AgentState {
  const e = event as AgentEvent;
  if (e.type === 'AgentRegistered') {
    return { status: 'registered', agent: e.data, alive: false, adminStateUp: true, description: '', aliveSince: null };
  }
  if (e.type === 'AgentDeleted') return { status: 'deleted', id: e.data.id };
  if (state.status !== 'registered') return state;
  switch (e.type) {
    case 'AgentConfigurationChanged':
      return { ...state, agent: { ...state.agent, ...pickConfig(e.data) } };
    case 'AgentAlive':
      return { ...state, alive: true, aliveSince: e.data.heartbeatAt };
    case 'AgentDead':
      return { ...state, alive: false };
    case 'AgentAdminStateChanged':
      return { ...state, adminStateUp: e.data.adminStateUp };
    case 'AgentDescriptionChanged':
      return { ...state, description: e.data.description };
    default:
      return state;
  }
}

export const agentDecider: Decider<AgentCommand, AgentState, AgentEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
};
