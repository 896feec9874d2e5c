import { z } from 'zod';
import type { QuotaResource } from '@cp/events';

/** Neutron's [quotas] defaults: what a project may have until an admin sets its own limits. -1 is unlimited. */
const NEUTRON_DEFAULTS: Record<QuotaResource, number> = {
  network: 100,
  subnet: 100,
  port: 500,
  router: 10,
  floatingip: 50,
  security_group: 10,
  security_group_rule: 100,
  rbac_policy: 10,
  subnetpool: -1,
};

const limit = (value: number) => z.coerce.number().int().min(-1).default(value);

/** `CP_QUOTA_<RESOURCE>`, as Neutron's `quota_<resource>` options (e.g. CP_QUOTA_PORT=1000). */
export const QUOTA_SETTINGS = {
  CP_QUOTA_NETWORK: limit(NEUTRON_DEFAULTS.network),
  CP_QUOTA_SUBNET: limit(NEUTRON_DEFAULTS.subnet),
  CP_QUOTA_PORT: limit(NEUTRON_DEFAULTS.port),
  CP_QUOTA_ROUTER: limit(NEUTRON_DEFAULTS.router),
  CP_QUOTA_FLOATINGIP: limit(NEUTRON_DEFAULTS.floatingip),
  CP_QUOTA_SECURITY_GROUP: limit(NEUTRON_DEFAULTS.security_group),
  CP_QUOTA_SECURITY_GROUP_RULE: limit(NEUTRON_DEFAULTS.security_group_rule),
  CP_QUOTA_RBAC_POLICY: limit(NEUTRON_DEFAULTS.rbac_policy),
  CP_QUOTA_SUBNETPOOL: limit(NEUTRON_DEFAULTS.subnetpool),
};

export type QuotaDefaults = Record<QuotaResource, number>;

export function quotaDefaultsFrom(s: { [K in keyof typeof QUOTA_SETTINGS]: number }): QuotaDefaults {
  return {
    network: s.CP_QUOTA_NETWORK,
    subnet: s.CP_QUOTA_SUBNET,
    port: s.CP_QUOTA_PORT,
    router: s.CP_QUOTA_ROUTER,
    floatingip: s.CP_QUOTA_FLOATINGIP,
    security_group: s.CP_QUOTA_SECURITY_GROUP,
    security_group_rule: s.CP_QUOTA_SECURITY_GROUP_RULE,
    rbac_policy: s.CP_QUOTA_RBAC_POLICY,
    subnetpool: s.CP_QUOTA_SUBNETPOOL,
  };
}
