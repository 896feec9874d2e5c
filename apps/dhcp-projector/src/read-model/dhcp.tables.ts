import type { EntitySchema } from '@mikro-orm/core';
import { FeedClock, feedTables, type HostItemLog } from '@cp/host-feed';
import { col, readModelTable } from '@cp/store';

/*
 * The DHCP read model's tables. Normalised facts, one table per thing an event
 * talks about, joined at query time. All of them come from one network's
 * partition (its subnets, ports and DHCP bindings are keyed by the network), so
 * they arrive in order; still, no row assumes another exists. Then the per-host
 * change log behind `?since=`. Flags are integers and lists JSON text, so raw
 * SQL reads the same on SQLite and PostgreSQL.
 */

const { str, pk, int, text } = col;
const table = (tableName: string, properties: Parameters<typeof readModelTable>[2], indexes: string[][] = []) =>
  readModelTable('Dhcp', tableName, properties, indexes);

export const NetworksTable = table('dhcp_networks', { id: pk(64), mtu: int(), admin_state_up: int() });
export const SubnetsTable = table(
  'dhcp_subnets',
  {
    id: pk(64),
    network_id: str(64),
    ip_version: int(),
    cidr: str(64),
    gateway_ip: str(64, { nullable: true }),
    enable_dhcp: int(),
    dns_nameservers: text(),
    host_routes: text(),
    ipv6_address_mode: str(32, { nullable: true }),
    ipv6_ra_mode: str(32, { nullable: true }),
  },
  [['network_id']],
);
export const PortsTable = table(
  'dhcp_ports',
  { id: pk(64), network_id: str(64), mac: str(32), device_owner: str(255), device_id: str(255), extra_dhcp_opts: text() },
  [['network_id']],
);
export const PortIpsTable = table('dhcp_port_ips', { port_id: pk(64), ip: pk(64), subnet_id: str(64) });
/** The DHCP agents serving a network, by the scheduler's events. */
export const BindingsTable = table('dhcp_bindings', { network_id: pk(64), agent_id: pk(64), host: str(255) }, [['host']]);

/** Per (host, network): the revision at which its document last changed; `deleted` rows are tombstones. */
export const HostNetworksTable = table('dhcp_host_networks', { host: pk(255), network_id: pk(64), rev: int(), deleted: int() }, [
  ['host', 'rev'],
]);
/** Per host its revision and compaction horizon, and the model's epoch (libs/host-feed): the DHCP feed's clock. */
const FEED = feedTables('dhcp');
export const DHCP_CLOCK = new FeedClock('dhcp');
export const DHCP_HOST_LOG: HostItemLog = { clock: DHCP_CLOCK, table: 'dhcp_host_networks', key: 'network_id' };

export const DHCP_TABLES: EntitySchema[] = [
  NetworksTable,
  SubnetsTable,
  PortsTable,
  PortIpsTable,
  BindingsTable,
  HostNetworksTable,
  ...FEED.tables,
];

/** What a rebuild truncates: everything but the epoch counter. */
export const DHCP_TABLE_NAMES: readonly string[] = [
  ...DHCP_TABLES.filter((t) => !FEED.tables.includes(t)).map((t) => t.meta.tableName),
  ...FEED.truncated,
];
