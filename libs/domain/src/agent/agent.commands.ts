import type { DataOf } from '@cp/events';

/** What an agent reports about itself; a change to any of it is an AgentConfigurationChanged. */
export type AgentConfig = Omit<DataOf<'AgentRegistered'>, 'id' | 'agentType' | 'host'>;

/** An agent's stream is keyed by (agentType, host), as Neutron keys its agents table. */
export interface AgentKey {
  agentType: string;
  host: string;
}

export type AgentCommand =
  | {
      type: 'ReportAgentState';
      /**
       * The register/heartbeat call (PUT /v1/agents/{agent_type}/{host}).
       * `now`: when the edge received it. `newAgentId`: the id to give the agent if
       * it is new (or was deleted). `adminStateUpIfNew`: Neutron's `enable_new_agents`.
       */
      data: AgentKey & AgentConfig & { now: string; newAgentId: string; adminStateUpIfNew?: boolean };
    }
  | {
      type: 'MarkAgentDead';
      /** Fact: the last heartbeat the caller saw (heartbeats live outside the event store). */
      data: AgentKey & { lastHeartbeatAt: string };
    }
  | { type: 'SetAgentAdminState'; data: AgentKey & { id: string; adminStateUp: boolean } }
  | { type: 'SetAgentDescription'; data: AgentKey & { id: string; description: string } }
  | { type: 'DeleteAgent'; data: AgentKey & { id: string } };
