import type { DomainEvent } from '@cp/events';
import type { ResourceMapper } from './resource-mapper';
import type { Body } from './resource-store';
import type { Heartbeat } from '../agent-heartbeats';

export const AGENT = 'agent';

/** Attributes of Neutron's agent resource (also what list filters accept). */
export const AGENT_ATTRIBUTES = [
  'id',
  'agent_type',
  'binary',
  'host',
  'topic',
  'admin_state_up',
  'alive',
  'availability_zone',
  'configurations',
  'created_at',
  'started_at',
  'heartbeat_timestamp',
  'description',
  'resources_synced',
] as const;

/** Neutron prints agent times as 'YYYY-MM-DD HH:MM:SS' (UTC), unlike the ISO times of other resources. */
export const agentTime = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?(Z|[+-]\d\d:\d\d)$/, '');

/** Neutron shows the L2 agent's tunnel endpoint inside `configurations`, as the OVS agent reports it. */
function configurations(d: { tunnelIp: string | null; configurations: Record<string, unknown> }) {
  return d.tunnelIp === null || 'tunneling_ip' in d.configurations ? d.configurations : { ...d.configurations, tunneling_ip: d.tunnelIp };
}

/**
 * What the events say about an agent. `alive` and `heartbeat_timestamp` are not
 * here: heartbeats are not events, so the API adds them from `agent_heartbeats`.
 */
export const agentMapper: ResourceMapper = {
  handles: [
    'AgentRegistered',
    'AgentConfigurationChanged',
    'AgentAlive',
    'AgentAdminStateChanged',
    'AgentDescriptionChanged',
    'AgentDeleted',
  ],
  async apply(event: DomainEvent, ops) {
    switch (event.type) {
      case 'AgentRegistered': {
        const d = event.data;
        const at = agentTime(event.metadata.occurredAt);
        return ops.put(AGENT, d.id, '', null, {
          id: d.id,
          agent_type: d.agentType,
          binary: d.binary,
          host: d.host,
          topic: d.topic,
          admin_state_up: true,
          availability_zone: d.availabilityZone,
          configurations: configurations(d),
          created_at: at,
          started_at: at,
          description: '',
          resources_synced: null,
        });
      }
      case 'AgentConfigurationChanged': {
        const d = event.data;
        return patch(ops, d.id, {
          binary: d.binary,
          topic: d.topic,
          availability_zone: d.availabilityZone,
          configurations: configurations(d),
        });
      }
      case 'AgentAlive':
        // Alive after being dead (or new): the agent (re)started, as far as we can tell.
        return patch(ops, event.data.id, { started_at: agentTime(event.data.heartbeatAt) });
      case 'AgentAdminStateChanged':
        return patch(ops, event.data.id, { admin_state_up: event.data.adminStateUp });
      case 'AgentDescriptionChanged':
        return patch(ops, event.data.id, { description: event.data.description });
      case 'AgentDeleted':
        return ops.remove(AGENT, event.data.id);
      default:
        return;
    }
  },
};

async function patch(ops: Parameters<ResourceMapper['apply']>[1], id: string, changes: Body) {
  const body = await ops.get(AGENT, id);
  if (body) await ops.put(AGENT, id, '', null, { ...body, ...changes });
}

/** Neutron's `is_agent_down`: alive means a heartbeat within agent_down_time. */
export function withLiveness(body: Body, hb: Heartbeat | undefined, downTimeSeconds: number, nowMs: number): Body {
  const last = hb?.last_heartbeat_at;
  return {
    ...body,
    alive: last !== undefined && nowMs - Date.parse(last) <= downTimeSeconds * 1000,
    heartbeat_timestamp: last === undefined ? null : agentTime(last),
  };
}
