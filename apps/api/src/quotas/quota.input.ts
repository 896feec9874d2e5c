import { z } from 'zod';
import { QUOTA_RESOURCES, type QuotaResource } from '@cp/events';
import { neutronBool, neutronInt } from '../platform/validate-body';

/** Neutron's quota attribute: convert_to_int, then a range of -1 (unlimited) up to a database integer. */
const limit = neutronInt.pipe(z.number().int().min(-1).max(2_147_483_647)).optional();

/**
 * `PUT /v2.0/quotas/{project_id}` `{"quota": {"network": 10, ...}}`. `force: true` sets a limit below
 * what the project already uses (Neutron checks by default since its quota-check-limit-default);
 * `check_limit` is accepted from older clients and changes nothing.
 */
export const updateQuotaInput = z.strictObject({
  ...(Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, limit])) as Record<QuotaResource, typeof limit>),
  force: neutronBool.optional(),
  check_limit: neutronBool.optional(),
});
export type UpdateQuotaInput = z.infer<typeof updateQuotaInput>;
