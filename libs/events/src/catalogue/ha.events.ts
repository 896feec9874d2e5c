import { z } from 'zod';
import { defineEvent } from '../define-event';
import { id } from './common';

/**
 * Decisions of the HA scheduler (a process manager). They are facts once recorded:
 * replay folds them and never decides again. Partitioned by project id, like routers.
 */
const projectRef = { projectId: z.string() };

export const HaNetworkCreated = defineEvent(
  'HaNetworkCreated',
  z.object({
    ...projectRef,
    /** Stream id of the HA network aggregate (also the tenant network's id). */
    id,
    networkId: id,
    subnetId: id,
    cidr: z.string(),
    name: z.string(),
    /** 0 for the project's first HA network, 1 for the second... */
    index: z.number().int().nonnegative(),
  }),
);
export const HaNetworkDeleted = defineEvent('HaNetworkDeleted', z.object({ ...projectRef, id, networkId: id }));
export const VridAllocated = defineEvent(
  'VridAllocated',
  z.object({ ...projectRef, haNetworkId: id, routerId: id, vrid: z.number().int().min(1).max(255) }),
);
export const VridReleased = defineEvent(
  'VridReleased',
  z.object({ ...projectRef, haNetworkId: id, routerId: id, vrid: z.number().int().min(1).max(255) }),
);
export const RouterScheduledToAgent = defineEvent(
  'RouterScheduledToAgent',
  z.object({
    ...projectRef,
    routerId: id,
    agentId: id,
    host: z.string(),
    /** keepalived priority; higher wins the election. */
    priority: z.number().int(),
    haPortId: id.nullable(),
  }),
);
export const RouterUnscheduledFromAgent = defineEvent(
  'RouterUnscheduledFromAgent',
  z.object({
    ...projectRef,
    routerId: id,
    agentId: id,
    host: z.string(),
    reason: z.enum(['agent_dead', 'router_deleted', 'router_not_ha', 'agent_deleted', 'admin']),
  }),
);
/** Fewer alive L3 agents than the minimum: the router waits, visibly. */
export const RouterSchedulingPending = defineEvent(
  'RouterSchedulingPending',
  z.object({ ...projectRef, routerId: id, reason: z.string() }),
);
export const RouterHaStateReported = defineEvent(
  'RouterHaStateReported',
  z.object({
    ...projectRef,
    routerId: id,
    agentId: id,
    host: z.string(),
    state: z.enum(['active', 'standby', 'fault', 'unknown']),
  }),
);
