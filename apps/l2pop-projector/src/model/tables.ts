import { EntitySchema } from '@mikro-orm/core';

/*
 * The L2 read model's tables. Three layers:
 *  - normalised facts, one table per thing an event talks about (never assumes
 *    that a referenced row exists: events of other partitions may come later);
 *  - per-network state derived from the facts (`l2_net_members`);
 *  - per-host views with revisions and tombstones, served to agents.
 * Flags are integers so raw SQL reads the same on SQLite and PostgreSQL.
 */

type Props = ConstructorParameters<typeof EntitySchema>[0]['properties'];
const str = (length: number, extra: object = {}) => ({ type: 'string', length, ...extra });
const pk = (length: number) => str(length, { primary: true });
const int = (extra: object = {}) => ({ type: 'integer', ...extra });

function table(tableName: string, properties: Props, indexes: string[][] = []): EntitySchema {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are read with raw SQL, not as entities
  return new EntitySchema<any>({
    name: `L2pop_${tableName}`,
    tableName,
    properties,
    indexes: indexes.map((properties) => ({ properties, name: `${tableName}_${properties.join('_')}_idx` })),
  });
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
  },
  [['network_id', 'host'], ['host']],
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
export const AgentsTable = table('l2_agents', { id: pk(64), host: str(255), tunnel_ip: str(64, { nullable: true }) }, [
  ['host'],
]);

export const GroupsTable = table('l2_sgs', { id: pk(64), project_id: str(64), is_default: int() });

export const RulesTable = table(
  'l2_sg_rules',
  { id: pk(64), sg_id: str(64), ethertype: str(8), remote_group_id: str(64, { nullable: true }) },
  [['sg_id'], ['remote_group_id']],
);

export const RoutersTable = table('l2_routers', { id: pk(64), ha: int() });
export const RouterIfacesTable = table(
  'l2_router_ifaces',
  { router_id: pk(64), port_id: pk(64), network_id: str(64) },
  [['network_id']],
);
export const RouterHostsTable = table('l2_router_hosts', { router_id: pk(64), host: pk(255) }, [['host']]);

/** Hosts that take part in a network's L2 population, with their unicast entries (JSON). */
export const NetMembersTable = table(
  'l2_net_members',
  { network_id: pk(64), host: pk(255), tunnel_ip: str(64), entries: { type: 'text' } },
  [['host']],
);

/* Per-host views. `rev` is the host revision that last changed the row; `deleted` marks a tombstone. */
const viewCols = { rev: int(), deleted: int() };

export const ViewNetsTable = table(
  'l2_view_nets',
  { host: pk(255), network_id: pk(64), network_type: str(16), segmentation_id: int({ nullable: true }), ...viewCols },
  [['host', 'rev']],
);
export const ViewFdbTable = table(
  'l2_view_fdb',
  { host: pk(255), network_id: pk(64), tunnel_ip: pk(64), entries: { type: 'text' }, ...viewCols },
  [['host', 'rev']],
);
export const ViewIpsetsTable = table(
  'l2_view_ipsets',
  { host: pk(255), name: pk(32), sg_id: str(64), ethertype: str(8), members: { type: 'text' }, ...viewCols },
  // (name, group): a set's rows without reading the members; several groups share a name when
  // their ids share the first 24 characters (Neutron's 29-character ipset names).
  [['host', 'rev'], ['name', 'sg_id']],
);

/** Per host: its revision counter and the revision up to which tombstones were compacted. */
export const HostRevsTable = table('l2_host_revs', { host: pk(255), rev: int(), horizon: int() });

/** The epoch of this incarnation of the model; truncated with it on rebuild. */
export const ModelTable = table('l2_model', { id: int({ primary: true }), epoch: int() });
/**
 * Survives rebuilds (not in `tableNames`): counts incarnations, so revisions
 * handed out before a rebuild are recognised as foreign and answered with a resync.
 */
export const EpochsTable = table('l2_epochs', { id: int({ primary: true }), last_epoch: int() });

export const L2POP_TABLES = [
  NetworksTable, PortsTable, PortIpsTable, PortGroupsTable, AgentsTable, GroupsTable, RulesTable,
  RoutersTable, RouterIfacesTable, RouterHostsTable, NetMembersTable,
  ViewNetsTable, ViewFdbTable, ViewIpsetsTable, HostRevsTable, ModelTable, EpochsTable,
];

/** Truncated on rebuild (everything but the epoch counter). */
export const L2POP_TABLE_NAMES = [
  'l2_networks', 'l2_ports', 'l2_port_ips', 'l2_port_sgs', 'l2_agents', 'l2_sgs', 'l2_sg_rules',
  'l2_routers', 'l2_router_ifaces', 'l2_router_hosts', 'l2_net_members',
  'l2_view_nets', 'l2_view_fdb', 'l2_view_ipsets', 'l2_host_revs', 'l2_model',
] as const;
