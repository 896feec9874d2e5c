import type { DomainEvent } from '@cp/events';
import type { ResourceMapper } from './resource-mapper';

/**
 * Which networks each DHCP agent serves: one row per (network, agent), under the
 * agent (the row's parent), so an agent's networks and its load are one lookup.
 * Not a Neutron resource of its own: the dhcp-networks and dhcp-agents views read it.
 */
export const DHCP_BINDING = 'dhcp-binding';

export const dhcpBindingMapper: ResourceMapper = {
  handles: ['NetworkScheduledToDhcpAgent', 'NetworkUnscheduledFromDhcpAgent'],
  async apply(event: DomainEvent, ops) {
    if (event.type === 'NetworkScheduledToDhcpAgent') {
      const d = event.data;
      const body = { network_id: d.networkId, agent_id: d.agentId, host: d.host };
      return ops.put(DHCP_BINDING, `${d.networkId}:${d.agentId}`, d.projectId, d.agentId, body);
    }
    if (event.type === 'NetworkUnscheduledFromDhcpAgent') return ops.remove(DHCP_BINDING, `${event.data.networkId}:${event.data.agentId}`);
  },
};
