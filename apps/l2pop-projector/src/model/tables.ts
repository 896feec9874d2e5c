import type { EntitySchema } from '@mikro-orm/core';
import { FeedClock, feedTables } from '@cp/host-feed';
import { col, indexName, readModelTable } from '@cp/store';

/*
 * The L2 read model's tables. Three layers:
 *  - normalised facts, one table per thing an event talks about (never assumes
 *    that a referenced row exists: events of other partitions may come later);
 *  - per-network and per-group state derived from the facts;
 *  - per host, the networks and ipsets it takes part in, with revisions.
 * Flags are integers so raw SQL reads the same on SQLite and PostgreSQL.
 */

const { str, int } = col;
const pk = (length: number, integer = false) => (integer ? int({ primary: true }) : col.pk(length));

/** Every secondary index of the model: a bulk rebuild drops them and builds each once at the end. */
export const L2POP_INDEXES: Array<{ table: string; name: string; columns: string[] }> = [];

function table(tableName: string, properties: Parameters<typeof readModelTable>[2], indexes: string[][] = []): EntitySchema {
  L2POP_INDEXES.push(...indexes.map((columns) => ({ table: tableName, name: indexName(tableName, columns), columns })));
  return readModelTable('L2pop', tableName, properties, indexes);
}

export const NetworksTable = table('l2_networks', {
  id: pk(64),
  network_type: str(16),
  segmentation_id: int({ nullable: true }),
});

export const PortsTable = table(
  'l2_ports',
  {
    id: pk(64),
    network_id: str(64),
    mac: str(32),
    host: str(255),
    active: int(),
    device_owner: str(255),
    port_security: int(),
  },
  // (host, id): a host's ports, and the join from them to their groups' rules, read from the index alone.
  [
    ['network_id', 'host'],
    ['host', 'id'],
  ],
);

/** Fixed IPs (kind 'fixed') and allowed-address-pair IPs or CIDRs (kind 'pair'). */
export const PortIpsTable = table('l2_port_ips', {
  port_id: pk(64),
  kind: pk(8),
  ip: pk(64),
  family: int(),
});

export const PortGroupsTable = table('l2_port_sgs', { port_id: pk(64), sg_id: pk(64) }, [['sg_id']]);

/** One row per agent; only L2 agents carry a tunnel IP. */
export const AgentsTable = table('l2_agents', { id: pk(64), host: str(255), tunnel_ip: str(64, { nullable: true }) }, [['host']]);

export const GroupsTable = table('l2_sgs', { id: pk(64), project_id: str(64), is_default: int() });

export const RulesTable = table(
  'l2_sg_rules',
  {
    id: pk(64),
    sg_id: str(64),
    ethertype: str(8),
    remote_group_id: str(64, { nullable: true }),
    /** JSON of what only the host's firewall reads: direction, protocol, port range, remote prefix. */
    spec: { type: 'text' },
  },
  // Covering: which sets a host needs (views/ipset-view.ts) is read from the index alone, without the rules' rows.
  [['sg_id', 'remote_group_id', 'ethertype'], ['remote_group_id']],
);

export const RoutersTable = table('l2_routers', { id: pk(64), ha: int() });
export const RouterIfacesTable = table('l2_router_ifaces', { router_id: pk(64), port_id: pk(64), network_id: str(64) }, [['network_id']]);
export const RouterHostsTable = table('l2_router_hosts', { router_id: pk(64), host: pk(255) }, [['host']]);

/*
 * Derived state. Per network: its members (a host behind a tunnel IP, with its
 * unicast entries). Per group: its member IPs. Per host: only which networks and
 * ipsets it takes part in. A host's FDB, flood lists and set members are joined
 * from the per-network and per-group rows when it reads them, so a port going up
 * writes one member row, not a copy into the view of every host on the network.
 *
 * `seq` is the batch that last changed a row, on a clock shared with the host
 * revisions (views/stamp.ts): a host at revision r reads the rows with seq > r.
 * `deleted` marks a tombstone, kept so those reads can report removals.
 * (Version 1 of the model kept per-host copies in l2_view_* tables, left unused.)
 */
const stamped = { seq: int(), deleted: int() };

/**
 * A host taking part in a network's L2 population (design.md §4), behind its
 * tunnel IP. `joined`: the batch that made the row live (again), so an entry
 * delta tells a new flood entry from a member whose entries changed.
 */
export const MembersTable = table(
  'l2_members',
  { network_id: pk(64), tunnel_ip: pk(64), host: pk(255), entries: { type: 'text' }, joined: int({ default: 0 }), ...stamped },
  [['network_id', 'seq'], ['host']],
);

/**
 * The members' unicast entries one row each (the `entries` of l2_members, kept
 * beside it): an entry delta (`?delta=entries`) sends the rows with seq > r, an
 * added entry or a removed one (a tombstone), not the member's whole list.
 */
export const FdbTable = table('l2_fdb', { network_id: pk(64), tunnel_ip: pk(64), host: pk(255), mac: pk(32), ip: pk(64), ...stamped }, [
  ['network_id', 'seq'],
]);

/** Per network: member and FDB tombstones with seq <= horizon were compacted away. */
export const NetHorizonsTable = table('l2_net_horizons', { network_id: pk(64), horizon: int() });

/**
 * The distinct IPs of a group's ports by family; `refs` counts the ports holding
 * each, 0 marks a tombstone (kept for entry deltas until compacted). `seq`: the
 * batch that last added or removed the IP.
 */
export const SetIpsTable = table('l2_set_ips', { sg_id: pk(64), family: pk(1, true), ip: pk(64), refs: int(), seq: int({ default: 0 }) });

/**
 * The batch that last changed a set's members (absent: none since the model was
 * built), and its horizon: member tombstones with seq <= horizon were compacted away.
 */
export const SetsTable = table('l2_sets', { sg_id: pk(64), ethertype: pk(8), seq: int(), horizon: int({ default: 0 }) });

/**
 * The version of each network's and set's derived state (`n:<network>`,
 * `s:<ethertype>/<group>`), moved by every batch that changes it: a projector
 * instance uses its copy in memory only at the database's version (views/hot-state.ts).
 */
export const StateVersionsTable = table('l2_state_versions', { state_key: pk(80), version: int() });

/** The networks a host takes part in. */
export const HostNetsTable = table(
  'l2_host_nets',
  { host: pk(255), network_id: pk(64), network_type: str(16), segmentation_id: int({ nullable: true }), ...stamped },
  [['host', 'seq'], ['network_id']],
);

/** The ipsets a host needs, by name; the members are the group's (l2_set_ips). */
export const HostIpsetsTable = table('l2_host_ipsets', { host: pk(255), name: pk(32), sg_id: str(64), ethertype: str(8), ...stamped }, [
  ['host', 'seq'],
  ['sg_id', 'ethertype'],
]);

/**
 * The batch that last changed what a host's own ports are (their facts, their
 * groups' rules): a host at revision r below it is sent its ports and rules
 * again, whole. Absent: unchanged since the model was built.
 */
export const HostLocalTable = table('l2_host_local', { host: pk(255), seq: int() });

/** Per host its revision and compaction horizon, and the model's epoch (libs/host-feed): the L2 feed's clock. */
const FEED = feedTables('l2');
export const L2_CLOCK = new FeedClock('l2');

export const L2POP_TABLES = [
  NetworksTable,
  PortsTable,
  PortIpsTable,
  PortGroupsTable,
  AgentsTable,
  GroupsTable,
  RulesTable,
  RoutersTable,
  RouterIfacesTable,
  RouterHostsTable,
  MembersTable,
  FdbTable,
  NetHorizonsTable,
  SetIpsTable,
  SetsTable,
  StateVersionsTable,
  HostNetsTable,
  HostIpsetsTable,
  HostLocalTable,
  ...FEED.tables,
];

/** Truncated on rebuild (everything but the epoch counter). */
export const L2POP_TABLE_NAMES = [
  'l2_networks',
  'l2_ports',
  'l2_port_ips',
  'l2_port_sgs',
  'l2_agents',
  'l2_sgs',
  'l2_sg_rules',
  'l2_routers',
  'l2_router_ifaces',
  'l2_router_hosts',
  'l2_members',
  'l2_fdb',
  'l2_net_horizons',
  'l2_set_ips',
  'l2_sets',
  'l2_state_versions',
  'l2_host_nets',
  'l2_host_ipsets',
  'l2_host_local',
  ...FEED.truncated,
];
