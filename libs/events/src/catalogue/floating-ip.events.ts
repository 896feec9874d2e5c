import { z } from 'zod';
import { defineEvent } from '../define-event';
import { id, ipAddress } from './common';

/**
 * Floating IPs (stream `floatingip:<id>`): an address on an external network,
 * held by a port of its own (`network:floatingip`), mapped by a router to a
 * fixed IP of a port behind it. Partitioned by the floating IP's project.
 */
const ref = { id, projectId: z.string(), floatingNetworkId: id };

/** Where the address is mapped: the port and fixed IP behind the router that has a gateway to the floating network. */
export const floatingIpAssociation = z.object({ portId: id, fixedIpAddress: ipAddress, routerId: id });
export type FloatingIpAssociation = z.infer<typeof floatingIpAssociation>;

export const FloatingIpCreated = defineEvent(
  'FloatingIpCreated',
  z.object({
    ...ref,
    floatingIpAddress: ipAddress,
    floatingSubnetId: id,
    /** The port on the external network that holds the address. */
    floatingPortId: id,
    description: z.string(),
  }),
);
/** Carries the address too, so an L3 agent's document needs no other event to show the mapping. */
export const FloatingIpAssociated = defineEvent(
  'FloatingIpAssociated',
  z.object({ ...ref, floatingIpAddress: ipAddress, ...floatingIpAssociation.shape }),
);
export const FloatingIpDisassociated = defineEvent(
  'FloatingIpDisassociated',
  z.object({
    ...ref,
    portId: id,
    routerId: id,
    /** `port_deleted`: the port behind it went; `requested`: an update set port_id to null. */
    reason: z.enum(['requested', 'port_deleted']),
  }),
);
export const FloatingIpUpdated = defineEvent(
  'FloatingIpUpdated',
  z.object({ ...ref, changes: z.object({ description: z.string().optional() }) }),
);
export const FloatingIpDeleted = defineEvent('FloatingIpDeleted', z.object({ ...ref, floatingPortId: id }));
