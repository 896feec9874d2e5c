import { z } from 'zod';
import { QUOTA_RESOURCES, type QuotaResource } from '@cp/events';
import { neutronBool, neutronInt } from '../platform/validate-body';

/** Neutron's quota attribute: convert_to_int, then a range of -1 (unlimited) up to a database integer. */
const limit = neutronInt.pipe(z.number().int().min(-1).max(2_147_483_647)).optional();

/**
 * `PUT /v2.0/quotas/{project_id}` `{"quota": {"network": 10, ...}}`. `check_limit: true` refuses a
 * limit below what the project already uses (Neutron's quota-check-limit); without it a limit may be
 * set below usage (later creates are refused), as the Tempest quota tests expect. `force` is the
 * newer clients' way of saying "do not check" and is accepted.
 */
export const updateQuotaInput = z.strictObject({
  ...(Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, limit])) as Record<QuotaResource, typeof limit>),
  force: neutronBool.optional(),
  check_limit: neutronBool.optional(),
});
export type UpdateQuotaInput = z.infer<typeof updateQuotaInput>;
