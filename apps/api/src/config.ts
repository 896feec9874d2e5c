import { resolve } from 'node:path';
import { z } from 'zod';
import { describeSetting, parseEnv, pgSchemaName } from '@cp/runtime';
import type { PhysicalNetworks } from '@cp/domain';
import { DEFAULT_DHCP_POLICY } from '@cp/write-model';
import { parseFlatNetworks, parseNetworkVlanRanges } from './networks/physical-network-settings';
import { QUOTA_SETTINGS, quotaDefaultsFrom } from './quotas/quota-settings';

/**
 * Every setting the API process reads, from the environment, validated once at
 * start-up so a typo fails loudly instead of running with a default.
 */
const schema = z.object({
  CP_HOST: z.string().default('127.0.0.1'),
  CP_PORT: z.coerce.number().int().min(0).max(65535).default(9696),
  CP_DATA_DIR: z.string().default('./data'),
  /** PostgreSQL URL of the event store for distributed mode; unset = embedded SQLite. */
  CP_EVENT_STORE_URL: z.string().optional(),
  CP_EVENT_STORE_SCHEMA: pgSchemaName.optional(),
  CP_SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  CP_DEFAULT_PROJECT_ID: z.string().default('admin'),
  CP_TENANT_NETWORK_TYPE: z.enum(['vxlan', 'geneve', 'gre', 'vlan']).default('vxlan'),
  /**
   * Neutron's network_vlan_ranges (empty there). One physnet with a pool by default, so VLAN
   * provider networks, and tenant ones with CP_TENANT_NETWORK_TYPE=vlan, work out of the box.
   */
  CP_NETWORK_VLAN_RANGES: z.string().default('physnet1:1000:2999'),
  /** Neutron's flat_networks: `*` any physnet, empty: no flat networks. */
  CP_FLAT_NETWORKS: z.string().default('*'),
  CP_VNI_RANGE: z
    .string()
    .regex(/^\d+:\d+$/)
    .default('1:65535'),
  /** Neutron's global_physnet_mtu: what VLAN and flat networks carry; tunnelled ones carry CP_TUNNEL_MTU. */
  CP_PHYSNET_MTU: z.coerce.number().int().min(68).default(1500),
  CP_TUNNEL_MTU: z.coerce.number().int().default(1450),
  CP_AGENT_DOWN_TIME: z.coerce.number().positive().default(75),
  /** Neutron's dhcp_agents_per_network: DHCP agents serving each network with a DHCP-enabled subnet. */
  CP_DHCP_AGENTS_PER_NETWORK: z.coerce.number().int().min(1).default(DEFAULT_DHCP_POLICY.agentsPerNetwork),
  /** Embedded mode snapshots each read model every this many events (0: never); rebuilds start from the newest. */
  CP_SNAPSHOT_EVERY: z.coerce.number().int().nonnegative().default(20_000),
  /** How many snapshots each model keeps: 2 for rebuilds; more make time travel (?at=) near older points cheap. */
  CP_SNAPSHOT_KEEP: z.coerce.number().int().min(1).default(2),
  CP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Rows of network and set state the embedded L2 projection keeps in memory (apps/l2pop-projector views/hot-state.ts). */
  CP_L2_HOT_ROWS: z.coerce.number().int().positive().default(500_000),
  ...QUOTA_SETTINGS,
});

export type Settings = ReturnType<typeof loadSettings>;

export function loadSettings(env: NodeJS.ProcessEnv = process.env) {
  const s = parseEnv(schema, env);
  const [vniMin, vniMax] = s.CP_VNI_RANGE.split(':').map(Number);
  const physicalNetworks: PhysicalNetworks = {
    ...parsedSetting('CP_NETWORK_VLAN_RANGES', () => parseNetworkVlanRanges(s.CP_NETWORK_VLAN_RANGES)),
    flatNetworks: parsedSetting('CP_FLAT_NETWORKS', () => parseFlatNetworks(s.CP_FLAT_NETWORKS)),
  };
  return {
    host: s.CP_HOST,
    port: s.CP_PORT,
    dataDir: resolve(s.CP_DATA_DIR),
    eventStoreUrl: s.CP_EVENT_STORE_URL,
    eventStoreSchema: s.CP_EVENT_STORE_SCHEMA,
    sqliteSynchronous: s.CP_SQLITE_SYNCHRONOUS,
    defaultProjectId: s.CP_DEFAULT_PROJECT_ID,
    tenantNetworkType: s.CP_TENANT_NETWORK_TYPE,
    vniRange: [vniMin, vniMax] as [number, number],
    physicalNetworks,
    tunnelMtu: s.CP_TUNNEL_MTU,
    physnetMtu: s.CP_PHYSNET_MTU,
    agentDownTimeSeconds: s.CP_AGENT_DOWN_TIME,
    dhcp: { agentsPerNetwork: s.CP_DHCP_AGENTS_PER_NETWORK },
    logLevel: s.CP_LOG_LEVEL,
    snapshotEvery: s.CP_SNAPSHOT_EVERY,
    snapshotKeep: s.CP_SNAPSHOT_KEEP,
    l2HotRows: s.CP_L2_HOT_ROWS,
    quotaDefaults: quotaDefaultsFrom(s),
  };
}

/** A setting's own parse, failing like the schema's checks: with the setting's name. */
function parsedSetting<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new Error(`invalid setting ${describeSetting(name)}: ${(e as Error).message}`, { cause: e });
  }
}

export const SETTINGS = Symbol('SETTINGS');
