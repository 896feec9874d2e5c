import type { CommandContext, DomainEventBody } from '@cp/events';
import type { EventStore, StreamAppend } from '@cp/store';

export const L3 = 'L3 agent';
export const agentId = (host: string) => `agent-${host}`;

/**
 * Appends plain event bodies the way the API would after its deciders ran:
 * routers and L3 agents. The scheduler under test only ever sees the events.
 */
export class Driver {
  private seq = 0;

  constructor(readonly store: EventStore) {}

  ctx(projectId = 'admin'): CommandContext {
    this.seq++;
    return {
      projectId,
      actor: 'test',
      requestId: `req-${this.seq}`,
      causationId: null,
      now: new Date(Date.UTC(2026, 0, 1, 0, 0, this.seq)).toISOString(),
      isAdmin: true,
    };
  }

  async append(appends: StreamAppend[], projectId = 'admin'): Promise<number> {
    const stored = await this.store.transaction((tx) => this.store.append(appends, this.ctx(projectId), tx));
    return stored[stored.length - 1]?.metadata.position ?? 0;
  }

  /** Routers created in one transaction (fast), each on its own stream, in the given order. */
  createRouters(ids: string[], projectId = 'p1', ha = true): Promise<number> {
    return this.append(
      ids.map((id) => ({
        streamId: `router:${id}`,
        expectedVersion: 0,
        events: [{ type: 'RouterCreated', data: { id, projectId, name: id, description: '', adminStateUp: true, ha } }],
      })),
      projectId,
    );
  }

  deleteRouters(ids: string[], projectId = 'p1'): Promise<number> {
    return this.append(
      ids.map((id) => ({
        streamId: `router:${id}`,
        expectedVersion: 'any',
        events: [{ type: 'RouterDeleted', data: { id, projectId, ha: true } }],
      })),
      projectId,
    );
  }

  setHa(id: string, ha: boolean, projectId = 'p1'): Promise<number> {
    return this.router(id, { type: 'RouterUpdated', data: { id, projectId, changes: { ha } } }, projectId);
  }

  router(id: string, event: DomainEventBody, projectId = 'p1'): Promise<number> {
    return this.append([{ streamId: `router:${id}`, expectedVersion: 'any', events: [event] }], projectId);
  }

  /** Registration as the agent decider records it: registered, then alive. */
  agentUp(host: string, configurations: Record<string, unknown> = { agent_mode: 'legacy' }): Promise<number> {
    const ref = { id: agentId(host), agentType: L3, host };
    return this.agent(host, [
      {
        type: 'AgentRegistered',
        data: { ...ref, binary: 'neutron-l3-agent', topic: 'l3_agent', tunnelIp: null, availabilityZone: 'nova', configurations },
      },
      { type: 'AgentAlive', data: { ...ref, heartbeatAt: '2026-01-01T00:00:00.000Z' } },
    ]);
  }

  agentDead(host: string): Promise<number> {
    return this.agent(host, [
      { type: 'AgentDead', data: { id: agentId(host), agentType: L3, host, lastHeartbeatAt: '2026-01-01T00:00:00.000Z' } },
    ]);
  }

  agentAlive(host: string): Promise<number> {
    return this.agent(host, [
      { type: 'AgentAlive', data: { id: agentId(host), agentType: L3, host, heartbeatAt: '2026-01-01T00:05:00.000Z' } },
    ]);
  }

  agentDeleted(host: string): Promise<number> {
    return this.agent(host, [{ type: 'AgentDeleted', data: { id: agentId(host), agentType: L3, host } }]);
  }

  agent(host: string, events: DomainEventBody[]): Promise<number> {
    return this.append([{ streamId: `agent:${L3}@${host}`, expectedVersion: 'any', events }]);
  }
}
