import { z } from 'zod';
import { defineEvent } from '../define-event';
import { fixedIp, id } from './common';

/** Router events are partitioned by project id (with the HA events they drive). */
const routerRef = { id, projectId: z.string() };

const mutable = {
  name: z.string().max(255),
  description: z.string().max(255),
  adminStateUp: z.boolean(),
  ha: z.boolean(),
};

export const RouterCreated = defineEvent('RouterCreated', z.object({ ...routerRef, ...mutable }));
export const RouterUpdated = defineEvent('RouterUpdated', z.object({ ...routerRef, changes: z.object(mutable).partial() }));
/** The router got a port on a subnet; the port's own events are on the port's stream. */
export const RouterInterfaceAdded = defineEvent(
  'RouterInterfaceAdded',
  z.object({ ...routerRef, portId: id, networkId: id, subnetIds: z.array(id) }),
);
export const RouterInterfaceRemoved = defineEvent(
  'RouterInterfaceRemoved',
  z.object({ ...routerRef, portId: id, networkId: id, subnetIds: z.array(id) }),
);
export const RouterGatewaySet = defineEvent(
  'RouterGatewaySet',
  z.object({
    ...routerRef,
    networkId: id,
    portId: id,
    enableSnat: z.boolean(),
    externalFixedIps: z.array(fixedIp),
  }),
);
export const RouterGatewayCleared = defineEvent('RouterGatewayCleared', z.object({ ...routerRef, networkId: id, portId: id }));
export const RouterDeleted = defineEvent('RouterDeleted', z.object({ ...routerRef, ha: z.boolean() }));
