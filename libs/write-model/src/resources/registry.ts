import type { EntitySchema } from '@mikro-orm/core';
import type { Database, InlineProjection } from '@cp/store';
import { networkMapper } from './network.view';
import type { ResourceMapper } from './resource-mapper';
import { securityGroupMapper } from './security-group.view';
import { SecurityGroupPorts, SecurityGroupPortTable } from '../indexes/security-group-ports';
import { agentMapper } from './agent.view';
import { AgentHeartbeatTable } from '../agent-heartbeats';
import { routerMapper } from './router.view';
import { floatingIpMapper } from './floating-ip.view';
import { dhcpBindingMapper } from './dhcp-binding.view';
import { subnetMapper } from './subnet.view';
import { portMapper } from './port.view';
import { quotaMapper } from './quota.view';
import { tagsMapper } from './tags.view';
import { IpAllocations, IpAllocationTable, MacAllocations, MacAllocationTable } from '../indexes/port-allocations';
import { IpAvailabilityPoolsTable, IpAvailabilityTable } from '../indexes/ip-availability';

/** Every API slice's mapper into the `resources` read model. */
export const RESOURCE_MAPPERS: ResourceMapper[] = [
  networkMapper,
  securityGroupMapper,
  agentMapper,
  routerMapper,
  floatingIpMapper,
  dhcpBindingMapper,
  subnetMapper,
  portMapper,
  quotaMapper,
  tagsMapper,
];

/** Indexes maintained with each append (MAC/IP claims and free ranges, group usage...), each with the tables it writes. */
export const WRITE_INDEXES: Array<{ tables: EntitySchema[]; create(db: Database): InlineProjection }> = [
  { tables: [SecurityGroupPortTable], create: (db) => new SecurityGroupPorts(db) },
  { tables: [IpAllocationTable, IpAvailabilityTable, IpAvailabilityPoolsTable], create: (db) => new IpAllocations(db) },
  { tables: [MacAllocationTable], create: (db) => new MacAllocations(db) },
];

/**
 * Tables that are not derived from events (agent heartbeats): created with the
 * others but never truncated or rebuilt, since no event could restore them.
 */
export const OPERATIONAL_TABLES: EntitySchema[] = [AgentHeartbeatTable];
