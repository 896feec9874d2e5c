import { z } from 'zod';
import { defineEvent } from '../define-event';

/**
 * The resources Neutron counts against a project's quota, by their quota names
 * (`openstack quota set --networks` sets `network`).
 */
export const QUOTA_RESOURCES = [
  'network',
  'subnet',
  'port',
  'router',
  'floatingip',
  'security_group',
  'security_group_rule',
  'rbac_policy',
  'subnetpool',
] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];

/** A limit: how many a project may have; -1 is unlimited. */
export const quotaLimit = z.number().int().min(-1);

/** An admin set some of a project's limits; the others keep their values (an override, or the default). */
export const QuotaLimitsSet = defineEvent(
  'QuotaLimitsSet',
  z.object({ projectId: z.string().min(1), limits: z.partialRecord(z.enum(QUOTA_RESOURCES), quotaLimit) }),
);
/** An admin removed a project's overrides: every limit is the default again. */
export const QuotaLimitsReset = defineEvent('QuotaLimitsReset', z.object({ projectId: z.string().min(1) }));
