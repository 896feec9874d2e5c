import { z } from 'zod';
import { nameField, neutronBool, uuidLike } from '../platform/validate-body';

/*
 * Shapes only: whether a CIDR, address or pool makes sense is the subnet
 * decider's call (it words the errors as Neutron does), so strings pass here.
 */
const pool = z.strictObject({ start: z.string(), end: z.string() });
const route = z.strictObject({ destination: z.string(), nexthop: z.string() });
/** Neutron converts ip_version with convert_to_int, so "4" is accepted too. */
const ipVersion = z.union([z.literal(4), z.literal(6), z.enum(['4', '6']).transform((v) => Number(v) as 4 | 6)], {
  error: 'not a valid IP version, expected 4 or 6',
});
const ipv6Mode = z.string().nullable();

const common = {
  name: nameField.optional(),
  description: z.string().max(255).optional(),
  gateway_ip: z.string().nullable().optional(),
  allocation_pools: z.array(pool).optional(),
  enable_dhcp: neutronBool.optional(),
  dns_nameservers: z.array(z.string()).optional(),
  host_routes: z.array(route).optional(),
};

export const createSubnetInput = z.strictObject({
  ...common,
  tenant_id: uuidLike.optional(),
  project_id: uuidLike.optional(),
  network_id: uuidLike,
  ip_version: ipVersion,
  // Subnet pools are not supported, so a CIDR is always required.
  cidr: z.string(),
  ipv6_ra_mode: ipv6Mode.optional(),
  ipv6_address_mode: ipv6Mode.optional(),
  subnetpool_id: z.null().optional(),
  use_default_subnet_pool: z.literal(false).optional(),
  segment_id: z.null().optional(),
  service_types: z.array(z.string()).max(0, { error: 'service types are not supported' }).optional(),
});
export type CreateSubnetInput = z.infer<typeof createSubnetInput>;

export const updateSubnetInput = z.strictObject({
  ...common,
  service_types: z.array(z.string()).max(0, { error: 'service types are not supported' }).optional(),
});
export type UpdateSubnetInput = z.infer<typeof updateSubnetInput>;
