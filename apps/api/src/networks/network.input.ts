import { z } from 'zod';
import { networkType } from '@cp/events';
import { nameField, neutronBool, neutronInt, uuidLike } from '../platform/validate-body';

const common = {
  name: nameField.optional(),
  description: z.string().max(255).optional(),
  admin_state_up: neutronBool.optional(),
  shared: neutronBool.optional(),
  'router:external': neutronBool.optional(),
  mtu: neutronInt.pipe(z.number().min(68).max(9216)).optional(),
  port_security_enabled: neutronBool.optional(),
  availability_zone_hints: z.array(z.string()).optional(),
  qos_policy_id: z.null().optional(),
  dns_domain: z.string().optional(),
  is_default: neutronBool.optional(),
};

export const createNetworkInput = z.strictObject({
  ...common,
  tenant_id: uuidLike.optional(),
  project_id: uuidLike.optional(),
  'provider:network_type': networkType.optional(),
  'provider:physical_network': z.string().max(64).nullable().optional(),
  'provider:segmentation_id': neutronInt.pipe(z.number().nonnegative()).nullable().optional(),
});
export type CreateNetworkInput = z.infer<typeof createNetworkInput>;

export const updateNetworkInput = z.strictObject(common);
export type UpdateNetworkInput = z.infer<typeof updateNetworkInput>;
