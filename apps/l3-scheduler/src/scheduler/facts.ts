import type { DomainEvent } from '@cp/events';

export const L3_AGENT_TYPE = 'L3 agent';
/** Agent modes that never host centralized (HA or legacy) routers in Neutron. */
export const NON_HA_MODES = new Set(['dvr', 'dvr_no_external']);

export interface RouterFacts {
  projectId: string;
  ha: boolean;
  deleted: boolean;
  /** Position of RouterCreated: the order in which waiting routers are served. */
  seq: number;
}

export interface AgentFacts {
  id: string;
  host: string;
  alive: boolean;
  adminStateUp: boolean;
  deleted: boolean;
  agentMode: string | null;
}

/** What a fact change asks the scheduler to look at. */
export type Trigger =
  | { kind: 'router'; routerId: string }
  /**
   * An agent became usable; `fill` (a new or revived agent, one enabled again) also tops
   * up routers below max, so an outage does not leave routers short for good.
   */
  | { kind: 'agent-usable'; agentId: string; fill: boolean }
  | { kind: 'agent-gone'; agentId: string; reason: 'agent_dead' | 'agent_deleted' };

/**
 * The facts the scheduler decides on, as of the event it is processing: routers
 * (HA or not, deleted) and L3 agents (alive, enabled). Derived from the events up
 * to the current one only, so a replay sees exactly what the live run saw.
 */
export class SchedulerFacts {
  readonly routers = new Map<string, RouterFacts>();
  readonly agents = new Map<string, AgentFacts>();
  /** `router:<id>` / `agent:<id>` changed since the last save. */
  readonly dirty = new Set<string>();

  apply(e: DomainEvent): Trigger | null {
    switch (e.type) {
      case 'RouterCreated':
        this.setRouter(e.data.id, { projectId: e.data.projectId, ha: e.data.ha, deleted: false, seq: e.metadata.position ?? 0 });
        // Legacy routers are placed too (on one agent), as Neutron's router_auto_schedule does.
        return { kind: 'router', routerId: e.data.id };
      case 'RouterUpdated': {
        const r = this.routers.get(e.data.id);
        if (e.data.changes.ha === undefined || !r || r.ha === e.data.changes.ha) return null;
        this.setRouter(e.data.id, { ...r, ha: e.data.changes.ha });
        return { kind: 'router', routerId: e.data.id };
      }
      case 'RouterDeleted': {
        const r = this.routers.get(e.data.id);
        this.setRouter(e.data.id, { projectId: e.data.projectId, ha: e.data.ha, deleted: true, seq: r?.seq ?? 0 });
        return { kind: 'router', routerId: e.data.id };
      }
      case 'AgentRegistered':
      case 'AgentConfigurationChanged':
      case 'AgentAlive':
      case 'AgentDead':
      case 'AgentAdminStateChanged':
      case 'AgentDeleted':
        return e.data.agentType === L3_AGENT_TYPE ? this.applyAgent(e) : null;
      default:
        return null;
    }
  }

  clear(): void {
    this.routers.clear();
    this.agents.clear();
    this.dirty.clear();
  }

  /** Alive, enabled agents that may host centralized routers. */
  usableAgents(): AgentFacts[] {
    return [...this.agents.values()].filter((a) => a.alive && a.adminStateUp && !a.deleted && !NON_HA_MODES.has(a.agentMode ?? ''));
  }

  forgetRouter(id: string): void {
    this.routers.delete(id);
    this.dirty.add(`router:${id}`);
  }

  setRouter(id: string, facts: RouterFacts): void {
    this.routers.set(id, facts);
    this.dirty.add(`router:${id}`);
  }

  setAgent(facts: AgentFacts): void {
    this.agents.set(facts.id, facts);
    this.dirty.add(`agent:${facts.id}`);
  }

  private applyAgent(e: Extract<DomainEvent, { type: `Agent${string}` }>): Trigger | null {
    const { id, host } = e.data;
    const prev = this.agents.get(id);
    const base: AgentFacts = prev ?? { id, host, alive: false, adminStateUp: true, deleted: false, agentMode: null };
    const mode = (c: Record<string, unknown>) => (typeof c.agent_mode === 'string' ? c.agent_mode : null);
    switch (e.type) {
      case 'AgentRegistered':
        this.setAgent({ ...base, host, deleted: false, agentMode: mode(e.data.configurations) });
        return null;
      case 'AgentConfigurationChanged':
        this.setAgent({ ...base, agentMode: mode(e.data.configurations) });
        return { kind: 'agent-usable', agentId: id, fill: false };
      case 'AgentAlive':
        this.setAgent({ ...base, alive: true });
        return { kind: 'agent-usable', agentId: id, fill: true };
      case 'AgentDead':
        this.setAgent({ ...base, alive: false });
        return { kind: 'agent-gone', agentId: id, reason: 'agent_dead' };
      case 'AgentAdminStateChanged':
        this.setAgent({ ...base, adminStateUp: e.data.adminStateUp });
        // Disabling an agent stops new placements there but moves nothing (as Neutron).
        return e.data.adminStateUp ? { kind: 'agent-usable', agentId: id, fill: true } : null;
      case 'AgentDeleted':
        this.setAgent({ ...base, alive: false, deleted: true });
        return { kind: 'agent-gone', agentId: id, reason: 'agent_deleted' };
      default:
        return null;
    }
  }
}
