import { z } from 'zod';
import { nameField, neutronBool, neutronInt, uuidLike } from '../platform/validate-body';

const owner = { tenant_id: uuidLike.optional(), project_id: uuidLike.optional() };

export const createSecurityGroupInput = z.strictObject({
  ...owner,
  name: nameField.optional(),
  description: z.string().max(255).optional(),
  stateful: neutronBool.optional(),
});
export type CreateSecurityGroupInput = z.infer<typeof createSecurityGroupInput>;

export const updateSecurityGroupInput = z.strictObject({
  name: nameField.optional(),
  description: z.string().max(255).optional(),
  stateful: neutronBool.optional(),
});
export type UpdateSecurityGroupInput = z.infer<typeof updateSecurityGroupInput>;

/** Neutron's convert_to_int_if_not_none: port numbers may come as integers or digit strings. */
const portNumber = neutronInt.nullable();

/** Neutron's convert_ethertype_to_case_insensitive. */
const ethertype = z
  .string()
  .refine((s) => /^ipv[46]$/i.test(s), { error: "must be one of 'IPv4', 'IPv6'" })
  .transform((s) => (s.toLowerCase() === 'ipv4' ? 'IPv4' : 'IPv6'));

/**
 * Shapes only: what a protocol name, a port range or a prefix may be is the
 * decider's (libs/domain/src/security-group/rule-validation.ts), with Neutron's messages.
 */
export const createSecurityGroupRuleInput = z.strictObject({
  ...owner,
  security_group_id: uuidLike,
  direction: z.enum(['ingress', 'egress']),
  ethertype: ethertype.optional(),
  protocol: z.union([z.string().max(40), z.number().int(), z.null()]).optional(),
  port_range_min: portNumber.optional(),
  port_range_max: portNumber.optional(),
  remote_ip_prefix: z.string().max(64).nullable().optional(),
  remote_group_id: uuidLike.nullable().optional(),
  remote_address_group_id: z.null({ error: 'address groups are not supported' }).optional(),
  description: z.string().max(255).optional(),
});
export type CreateSecurityGroupRuleInput = z.infer<typeof createSecurityGroupRuleInput>;
