import type { EntitySchema } from '@mikro-orm/core';
import { FeedClock, feedTables, type HostItemLog } from '@cp/host-feed';
import { col, readModelTable } from '@cp/store';

/*
 * The L3 read model's tables. Normalised facts, one table per thing an event
 * talks about, joined at query time: router/HA events (keyed by project), subnet
 * and port events (by network) and agent events (by host) may arrive in any
 * interleaving, so no row assumes another already exists. Then the per-host
 * change log (revisions, tombstones) behind `?since=`. Flags are integers so raw
 * SQL reads the same on SQLite and PostgreSQL.
 */

const { str, pk, int, text } = col;
const table = (tableName: string, properties: Parameters<typeof readModelTable>[2], indexes: string[][] = []) =>
  readModelTable('L3', tableName, properties, indexes);

export const RoutersTable = table('l3_routers', {
  id: pk(64),
  project_id: str(64),
  name: str(255),
  description: str(255),
  admin_state_up: int(),
  ha: int(),
});
export const RouterIfacesTable = table('l3_router_ifaces', { router_id: pk(64), port_id: pk(64), network_id: str(64) });
export const RouterIfaceSubnetsTable = table('l3_router_iface_subnets', { router_id: pk(64), port_id: pk(64), subnet_id: pk(64) }, [
  ['subnet_id'],
]);
export const RouterGatewaysTable = table('l3_router_gateways', {
  router_id: pk(64),
  network_id: str(64),
  port_id: str(64),
  enable_snat: int(),
  external_fixed_ips: text(),
});
/** Floating IPs a router maps now (one row per associated floating IP). */
export const FloatingIpsTable = table(
  'l3_floating_ips',
  { id: pk(64), router_id: str(64), floating_ip: str(45), fixed_ip: str(45), port_id: str(64) },
  [['router_id']],
);
export const SubnetsTable = table('l3_subnets', {
  id: pk(64),
  network_id: str(64),
  cidr: str(64),
  gateway_ip: str(64, { nullable: true }),
});
/** L3 agents only; `alive` follows AgentAlive/AgentDead (heartbeats are not events). */
export const AgentsTable = table(
  'l3_agents',
  {
    id: pk(64),
    host: str(255),
    agent_type: str(64),
    agent_binary: str(255),
    topic: str(255),
    availability_zone: str(255, { nullable: true }),
    configurations: text(),
    admin_state_up: int(),
    alive: int(),
    created_at: str(40),
    started_at: str(40, { nullable: true }),
    heartbeat_at: str(40, { nullable: true }),
  },
  [['host']],
);
export const HaNetworksTable = table('l3_ha_networks', {
  id: pk(64),
  project_id: str(64),
  network_id: str(64),
  subnet_id: str(64),
  cidr: str(64),
  name: str(255),
  idx: int(),
});
export const VridsTable = table('l3_vrids', { router_id: pk(64), ha_network_id: str(64), vrid: int() }, [['ha_network_id']]);
/** One row per (router, agent); `state` is the agent's last report, `state_pos` its event position. */
export const BindingsTable = table(
  'l3_bindings',
  {
    router_id: pk(64),
    agent_id: pk(64),
    host: str(255),
    project_id: str(64),
    priority: int(),
    ha_port_id: str(64, { nullable: true }),
    state: str(16),
    state_pos: { type: 'bigint' },
  },
  [['host'], ['agent_id'], ['ha_port_id']],
);
export const PendingTable = table('l3_pending', { router_id: pk(64), reason: text() });
export const HaPortsTable = table('l3_ha_ports', { id: pk(64), network_id: str(64), mac: str(32), ip: str(64), host: str(255) });

/** Per (host, router): the revision at which its document last changed; `deleted` rows are tombstones. */
export const HostRoutersTable = table('l3_host_routers', { host: pk(255), router_id: pk(64), rev: int(), deleted: int() }, [
  ['host', 'rev'],
]);
/** Per host its revision and compaction horizon, and the model's epoch (libs/host-feed): the L3 feed's clock. */
const FEED = feedTables('l3');
export const L3_CLOCK = new FeedClock('l3');
/** The per-host change log of router documents (libs/host-feed, host-items). */
export const L3_HOST_LOG: HostItemLog = { clock: L3_CLOCK, table: 'l3_host_routers', key: 'router_id' };

export const L3_TABLES: EntitySchema[] = [
  RoutersTable,
  RouterIfacesTable,
  RouterIfaceSubnetsTable,
  RouterGatewaysTable,
  FloatingIpsTable,
  SubnetsTable,
  AgentsTable,
  HaNetworksTable,
  VridsTable,
  BindingsTable,
  PendingTable,
  HaPortsTable,
  HostRoutersTable,
  ...FEED.tables,
];

/** What a rebuild truncates: everything but the epoch counter. */
export const L3_TABLE_NAMES: readonly string[] = [
  ...L3_TABLES.filter((t) => !FEED.tables.includes(t)).map((t) => t.meta.tableName),
  ...FEED.truncated,
];
