import { z } from 'zod';
import { uuidLike } from '../platform/validate-body';

const ipAddress = z.string().min(2).max(45);

export const createFloatingIpInput = z.strictObject({
  floating_network_id: uuidLike,
  port_id: uuidLike.nullable().optional(),
  fixed_ip_address: ipAddress.nullable().optional(),
  floating_ip_address: ipAddress.optional(),
  subnet_id: uuidLike.nullable().optional(),
  description: z.string().max(255).optional(),
  tenant_id: uuidLike.optional(),
  project_id: uuidLike.optional(),
  // Accepted as Neutron's defaults only: there is no DNS integration or QoS here.
  dns_name: z.literal('').optional(),
  dns_domain: z.literal('').optional(),
  qos_policy_id: z.null().optional(),
});
export type CreateFloatingIpInput = z.infer<typeof createFloatingIpInput>;

export const updateFloatingIpInput = z.strictObject({
  /** null disassociates; a port id (re)associates. */
  port_id: uuidLike.nullable().optional(),
  fixed_ip_address: ipAddress.nullable().optional(),
  description: z.string().max(255).optional(),
  qos_policy_id: z.null().optional(),
});
export type UpdateFloatingIpInput = z.infer<typeof updateFloatingIpInput>;
