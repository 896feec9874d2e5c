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
    /** `router_not_ha`/`router_made_ha`: the router's `ha` changed, so its bindings of the old kind go. */
    reason: z.enum(['agent_dead', 'router_deleted', 'router_not_ha', 'router_made_ha', 'agent_deleted', 'admin']),
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
/**
 * A second agent reported active while another still is: keepalived on two hosts
 * both claim the router (a partition of the HA network). The first active host
 * stays authoritative; the others are told, through their documents, to step down.
 */
export const RouterSplitBrainDetected = defineEvent(
  'RouterSplitBrainDetected',
  z.object({ ...projectRef, routerId: id, activeHost: z.string(), hosts: z.array(z.string()) }),
);
/** At most one agent reports active again (a report or an unschedule ended the split-brain). */
export const RouterSplitBrainResolved = defineEvent(
  'RouterSplitBrainResolved',
  z.object({ ...projectRef, routerId: id, activeHost: z.string().nullable() }),
);
