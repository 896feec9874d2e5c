import { z } from 'zod';
import { defineEvent } from '../define-event';
import { id } from './common';

export const networkTypes = ['vxlan', 'gre', 'geneve', 'vlan', 'flat', 'local'] as const;
export const networkType = z.enum(networkTypes);
export type NetworkType = z.infer<typeof networkType>;
/** Types whose hosts are joined by tunnels, which is where L2 population applies. */
export const TUNNELLED_TYPES: readonly NetworkType[] = ['vxlan', 'gre', 'geneve'];

const mutable = {
  name: z.string().max(255),
  description: z.string().max(255),
  adminStateUp: z.boolean(),
  shared: z.boolean(),
  external: z.boolean(),
  mtu: z.number().int().min(68),
  /** The default of its ports' port_security_enabled; absent in events written before it existed (true). */
  portSecurityEnabled: z.boolean().optional(),
};

export const NetworkCreated = defineEvent(
  'NetworkCreated',
  z.object({
    id,
    projectId: z.string(),
    ...mutable,
    networkType,
    segmentationId: z.number().int().nullable(),
    physicalNetwork: z.string().nullable(),
    /** Internal networks (HA networks) are created by the scheduler, not a tenant. */
    haNetworkOf: z.string().nullable().optional(),
  }),
);
export const NetworkUpdated = defineEvent('NetworkUpdated', z.object({ id, changes: z.object(mutable).partial() }));
export const NetworkDeleted = defineEvent(
  'NetworkDeleted',
  z.object({ id, projectId: z.string(), networkType, segmentationId: z.number().int().nullable() }),
);
