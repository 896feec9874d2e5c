import { z } from 'zod';
import { nameField, neutronBool, uuidLike } from '../platform/validate-body';

/*
 * Shapes only: addresses, MACs and pairs are judged by the port decider, which
 * words its errors as Neutron does and names the value at fault.
 */
const fixedIp = z.strictObject({ subnet_id: uuidLike.optional(), ip_address: z.string().optional() });
const addressPair = z.strictObject({ ip_address: z.string(), mac_address: z.string().optional() });
/** Neutron's VNIC_TYPES. */
const vnicType = z.enum([
  'normal',
  'direct',
  'macvtap',
  'baremetal',
  'direct-physical',
  'virtio-forwarder',
  'smart-nic',
  'remote-managed',
  'vdpa',
]);
/** No binding profile is stored, so only an empty one is accepted rather than silently dropped. */
const emptyObject = z.strictObject({});
/** Neutron's extra_dhcp_opt; the port decider judges names and values. ip_version comes as a number or a string. */
const extraDhcpOpt = z.strictObject({
  opt_name: z.string(),
  opt_value: z.string().nullable(),
  ip_version: z.union([z.literal(4), z.literal(6), z.literal('4'), z.literal('6')]).optional(),
});

const common = {
  name: nameField.optional(),
  description: z.string().max(255).optional(),
  admin_state_up: neutronBool.optional(),
  device_id: z.string().max(255).optional(),
  device_owner: z.string().max(255).optional(),
  fixed_ips: z.array(fixedIp).optional(),
  // Neutron's uuid_list validator refuses a group named twice ("Duplicate items in the list").
  security_groups: z
    .array(uuidLike)
    .refine((ids) => new Set(ids).size === ids.length, { error: 'Duplicate items in the list' })
    .nullable()
    .optional(),
  port_security_enabled: neutronBool.optional(),
  allowed_address_pairs: z.array(addressPair).nullable().optional(),
  'binding:host_id': z.string().max(255).optional(),
  'binding:vnic_type': vnicType.optional(),
  'binding:profile': emptyObject.nullable().optional(),
  extra_dhcp_opts: z.array(extraDhcpOpt).nullable().optional(),
  mac_address: z.string().optional(),
};

export const createPortInput = z.strictObject({
  ...common,
  tenant_id: uuidLike.optional(),
  project_id: uuidLike.optional(),
  network_id: uuidLike,
});
export type CreatePortInput = z.infer<typeof createPortInput>;

export const updatePortInput = z.strictObject(common);
export type UpdatePortInput = z.infer<typeof updatePortInput>;
