import { z } from 'zod';

export const id = z.string().min(1).max(64);
export const ipAddress = z.string().min(2).max(45);
export const cidr = z.string().min(3).max(49);
export const ethertype = z.enum(['IPv4', 'IPv6']);
export const fixedIp = z.object({ subnetId: id, ipAddress });
export type FixedIp = z.infer<typeof fixedIp>;
export const addressPair = z.object({ ipAddress: z.string(), macAddress: z.string() });
export type AddressPair = z.infer<typeof addressPair>;
export const extraDhcpOpt = z.object({
  optName: z.string().min(1),
  optValue: z.string(),
  ipVersion: z.union([z.literal(4), z.literal(6)]),
});
export type ExtraDhcpOpt = z.infer<typeof extraDhcpOpt>;
