import type { DataOf, DomainEvent } from './catalogue';

/**
 * The Kafka partition key of an event (design.md §3): network, subnet and
 * port events by network id; security groups by group id; routers and HA
 * decisions and quotas by project; agents by host. Events sharing a key keep their order.
 */
export function partitionKey(event: DomainEvent): string {
  switch (event.type) {
    case 'NetworkCreated':
    case 'NetworkUpdated':
    case 'NetworkDeleted':
      return `network:${event.data.id}`;
    case 'NetworkScheduledToDhcpAgent':
    case 'NetworkUnscheduledFromDhcpAgent':
    case 'SubnetCreated':
    case 'SubnetUpdated':
    case 'SubnetDeleted':
    case 'PortCreated':
    case 'PortUpdated':
    case 'PortBoundToHost':
    case 'PortUnbound':
    case 'PortActivated':
    case 'PortDeactivated':
    case 'PortDeleted':
      return `network:${event.data.networkId}`;
    case 'SecurityGroupCreated':
    case 'SecurityGroupUpdated':
    case 'SecurityGroupDeleted':
      return `security-group:${event.data.id}`;
    case 'SecurityGroupRuleCreated':
    case 'SecurityGroupRuleDeleted':
      return `security-group:${event.data.securityGroupId}`;
    case 'RouterCreated':
    case 'RouterUpdated':
    case 'RouterInterfaceAdded':
    case 'RouterInterfaceRemoved':
    case 'RouterGatewaySet':
    case 'RouterGatewayCleared':
    case 'RouterDeleted':
    case 'HaNetworkCreated':
    case 'HaNetworkDeleted':
    case 'VridAllocated':
    case 'VridReleased':
    case 'RouterScheduledToAgent':
    case 'RouterUnscheduledFromAgent':
    case 'RouterSchedulingPending':
    case 'RouterHaStateReported':
    case 'RouterSplitBrainDetected':
    case 'RouterSplitBrainResolved':
      return `project:${event.data.projectId}`;
    case 'AgentRegistered':
    case 'AgentConfigurationChanged':
    case 'AgentAlive':
    case 'AgentDead':
    case 'AgentAdminStateChanged':
    case 'AgentDescriptionChanged':
    case 'AgentDeleted':
      return `host:${event.data.host}`;
    case 'QuotaLimitsSet':
    case 'QuotaLimitsReset':
    case 'FloatingIpCreated':
    case 'FloatingIpAssociated':
    case 'FloatingIpDisassociated':
    case 'FloatingIpUpdated':
    case 'FloatingIpDeleted':
      return `project:${event.data.projectId}`;
    case 'ResourceTagsSet':
      return tagsPartitionKey(event.data);
    default: {
      const unreachable: never = event;
      throw new Error(`no partition key for ${(unreachable as DomainEvent).type}`);
    }
  }
}

/** Tags travel with their resource's other events. */
function tagsPartitionKey(d: DataOf<'ResourceTagsSet'>): string {
  switch (d.resourceType) {
    case 'network':
      return `network:${d.resourceId}`;
    case 'subnet':
    case 'port':
      return `network:${d.networkId}`;
    case 'security_group':
      return `security-group:${d.resourceId}`;
    case 'router':
    case 'floatingip':
      return `project:${d.projectId}`;
  }
}
