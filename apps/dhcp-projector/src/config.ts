import { z } from 'zod';
import { parseEnv } from '@cp/runtime';

/** What the DHCP documents carry besides the events' facts, named after Neutron's options (neutron.conf [DEFAULT]). */
export interface DhcpConfig {
  /** Seconds a lease lasts (Neutron: dhcp_lease_duration; -1 is infinite). */
  leaseDuration: number;
  /** The domain host names live in (Neutron: dns_domain). */
  dnsDomain: string;
}

export const DEFAULT_DHCP_CONFIG: DhcpConfig = { leaseDuration: 86_400, dnsDomain: 'openstacklocal' };

const envSchema = z.object({
  CP_DHCP_LEASE_DURATION: z.coerce
    .number()
    .int()
    .refine((n) => n === -1 || n >= 120, { message: 'must be -1 (infinite) or at least 120 seconds' })
    .default(DEFAULT_DHCP_CONFIG.leaseDuration),
  CP_DNS_DOMAIN: z
    .string()
    .regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*\.?$/, {
      message: 'must be a DNS domain name',
    })
    .default(DEFAULT_DHCP_CONFIG.dnsDomain),
});

/** From the environment (`CP_*`); a bad value stops the process at startup with its name. */
export function dhcpConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DhcpConfig {
  const s = parseEnv(envSchema, env);
  return { leaseDuration: s.CP_DHCP_LEASE_DURATION, dnsDomain: s.CP_DNS_DOMAIN.replace(/\.$/, '') };
}
