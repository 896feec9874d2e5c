import { z } from 'zod';
import { defineEvent } from '../define-event';
import { id } from './common';

/** Agent events are partitioned by host. Heartbeats are not events; transitions are. */
const agentRef = { id, agentType: z.string().min(1), host: z.string().min(1) };

const config = {
  binary: z.string(),
  topic: z.string(),
  /** Local tunnel endpoint of an L2 agent; null for agents without tunnels. */
  tunnelIp: z.string().nullable(),
  availabilityZone: z.string().nullable(),
  configurations: z.record(z.string(), z.unknown()),
};

export const AgentRegistered = defineEvent('AgentRegistered', z.object({ ...agentRef, ...config }));
export const AgentConfigurationChanged = defineEvent('AgentConfigurationChanged', z.object({ ...agentRef, ...config }));
/** A heartbeat arrived from an agent that was dead (or just registered). */
export const AgentAlive = defineEvent('AgentAlive', z.object({ ...agentRef, heartbeatAt: z.string() }));
/** No heartbeat within agent_down_time. */
export const AgentDead = defineEvent('AgentDead', z.object({ ...agentRef, lastHeartbeatAt: z.string() }));
export const AgentAdminStateChanged = defineEvent('AgentAdminStateChanged', z.object({ ...agentRef, adminStateUp: z.boolean() }));
/** An operator's note on the agent (Neutron's agent `description`). */
export const AgentDescriptionChanged = defineEvent('AgentDescriptionChanged', z.object({ ...agentRef, description: z.string().max(255) }));
export const AgentDeleted = defineEvent('AgentDeleted', z.object(agentRef));
