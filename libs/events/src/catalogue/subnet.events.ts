import { z } from 'zod';
import { defineEvent } from '../define-event';
import { cidr, id, ipAddress } from './common';

export const allocationPool = z.object({ start: ipAddress, end: ipAddress });
export type AllocationPool = z.infer<typeof allocationPool>;
export const hostRoute = z.object({ destination: cidr, nexthop: ipAddress });

const mutable = {
  name: z.string().max(255),
  description: z.string().max(255),
  gatewayIp: ipAddress.nullable(),
  allocationPools: z.array(allocationPool),
  enableDhcp: z.boolean(),
  dnsNameservers: z.array(ipAddress),
  hostRoutes: z.array(hostRoute),
};

export const SubnetCreated = defineEvent(
  'SubnetCreated',
  z.object({
    id,
    networkId: id,
    projectId: z.string(),
    ipVersion: z.union([z.literal(4), z.literal(6)]),
    cidr,
    ipv6AddressMode: z.string().nullable(),
    ipv6RaMode: z.string().nullable(),
    ...mutable,
  }),
);
export const SubnetUpdated = defineEvent('SubnetUpdated', z.object({ id, networkId: id, changes: z.object(mutable).partial() }));
export const SubnetDeleted = defineEvent('SubnetDeleted', z.object({ id, networkId: id }));
