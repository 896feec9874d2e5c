import type { EventBody, EventOf } from '../define-event';
import * as agent from './agent.events';
import * as dhcp from './dhcp.events';
import * as floatingIp from './floating-ip.events';
import * as ha from './ha.events';
import * as network from './network.events';
import * as port from './port.events';
import * as quota from './quota.events';
import * as router from './router.events';
import * as securityGroup from './security-group.events';
import * as subnet from './subnet.events';
import * as tag from './tag.events';

export * from './common';
export * from './agent.events';
export * from './dhcp.events';
export * from './floating-ip.events';
export * from './ha.events';
export * from './network.events';
export * from './port.events';
export * from './quota.events';
export * from './router.events';
export * from './security-group.events';
export * from './subnet.events';
export * from './tag.events';

/** Every event type the system stores, by type name. */
export const CATALOGUE = {
  NetworkCreated: network.NetworkCreated,
  NetworkUpdated: network.NetworkUpdated,
  NetworkDeleted: network.NetworkDeleted,
  SubnetCreated: subnet.SubnetCreated,
  SubnetUpdated: subnet.SubnetUpdated,
  SubnetDeleted: subnet.SubnetDeleted,
  PortCreated: port.PortCreated,
  PortUpdated: port.PortUpdated,
  PortBoundToHost: port.PortBoundToHost,
  PortUnbound: port.PortUnbound,
  PortActivated: port.PortActivated,
  PortDeactivated: port.PortDeactivated,
  PortDeleted: port.PortDeleted,
  SecurityGroupCreated: securityGroup.SecurityGroupCreated,
  SecurityGroupUpdated: securityGroup.SecurityGroupUpdated,
  SecurityGroupDeleted: securityGroup.SecurityGroupDeleted,
  SecurityGroupRuleCreated: securityGroup.SecurityGroupRuleCreated,
  SecurityGroupRuleDeleted: securityGroup.SecurityGroupRuleDeleted,
  RouterCreated: router.RouterCreated,
  RouterUpdated: router.RouterUpdated,
  RouterInterfaceAdded: router.RouterInterfaceAdded,
  RouterInterfaceRemoved: router.RouterInterfaceRemoved,
  RouterGatewaySet: router.RouterGatewaySet,
  RouterGatewayCleared: router.RouterGatewayCleared,
  RouterDeleted: router.RouterDeleted,
  AgentRegistered: agent.AgentRegistered,
  AgentConfigurationChanged: agent.AgentConfigurationChanged,
  AgentAlive: agent.AgentAlive,
  AgentDead: agent.AgentDead,
  AgentAdminStateChanged: agent.AgentAdminStateChanged,
  AgentDescriptionChanged: agent.AgentDescriptionChanged,
  AgentDeleted: agent.AgentDeleted,
  HaNetworkCreated: ha.HaNetworkCreated,
  HaNetworkDeleted: ha.HaNetworkDeleted,
  VridAllocated: ha.VridAllocated,
  VridReleased: ha.VridReleased,
  RouterScheduledToAgent: ha.RouterScheduledToAgent,
  RouterUnscheduledFromAgent: ha.RouterUnscheduledFromAgent,
  RouterSchedulingPending: ha.RouterSchedulingPending,
  RouterHaStateReported: ha.RouterHaStateReported,
  RouterSplitBrainDetected: ha.RouterSplitBrainDetected,
  RouterSplitBrainResolved: ha.RouterSplitBrainResolved,
  NetworkScheduledToDhcpAgent: dhcp.NetworkScheduledToDhcpAgent,
  NetworkUnscheduledFromDhcpAgent: dhcp.NetworkUnscheduledFromDhcpAgent,
  FloatingIpCreated: floatingIp.FloatingIpCreated,
  FloatingIpAssociated: floatingIp.FloatingIpAssociated,
  FloatingIpDisassociated: floatingIp.FloatingIpDisassociated,
  FloatingIpUpdated: floatingIp.FloatingIpUpdated,
  FloatingIpDeleted: floatingIp.FloatingIpDeleted,
  QuotaLimitsSet: quota.QuotaLimitsSet,
  QuotaLimitsReset: quota.QuotaLimitsReset,
  ResourceTagsSet: tag.ResourceTagsSet,
} as const;

type Catalogue = typeof CATALOGUE;
export type EventType = keyof Catalogue;
export const EVENT_TYPES = Object.keys(CATALOGUE) as EventType[];

/** An event as a decider emits it: `{ type, data }`. */
export type DomainEventBody = { [K in EventType]: EventBody<Catalogue[K]> }[EventType];
/** An event with its envelope, as stored and as projectors see it. */
export type DomainEvent = { [K in EventType]: EventOf<Catalogue[K]> }[EventType];
/** Narrow a union to one event type: `EventOfType<'PortCreated'>`. */
export type EventOfType<K extends EventType> = Extract<DomainEvent, { type: K }>;
export type DataOf<K extends EventType> = EventOfType<K>['data'];

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(CATALOGUE, type);
}
