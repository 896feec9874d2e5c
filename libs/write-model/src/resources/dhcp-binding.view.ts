import { createHash } from 'node:crypto';
import type { DomainEvent } from '@cp/events';
import type { ResourceMapper } from './resource-mapper';

/**
 * Which networks each DHCP agent serves: one row per (network, agent), under the
 * agent (the row's parent), so an agent's networks and its load are one lookup.
 * Not a Neutron resource of its own: the dhcp-networks and dhcp-agents views read it.
 */
export const DHCP_BINDING = 'dhcp-binding';

/** A row id of 36 characters (the resources table's ids are at most 64; network and agent ids joined are 73). */
function bindingId(networkId: string, agentId: string): string {
  const x = createHash('sha1').update(`dhcp-binding:${networkId}:${agentId}`).digest('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export const dhcpBindingMapper: ResourceMapper = {
  handles: ['NetworkScheduledToDhcpAgent', 'NetworkUnscheduledFromDhcpAgent'],
  async apply(event: DomainEvent, ops) {
    if (event.type === 'NetworkScheduledToDhcpAgent') {
      const d = event.data;
      const body = { network_id: d.networkId, agent_id: d.agentId, host: d.host };
      return ops.put(DHCP_BINDING, bindingId(d.networkId, d.agentId), d.projectId, d.agentId, body);
    }
    if (event.type === 'NetworkUnscheduledFromDhcpAgent')
      return ops.remove(DHCP_BINDING, bindingId(event.data.networkId, event.data.agentId));
  },
};
