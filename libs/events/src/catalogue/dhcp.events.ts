import { z } from 'zod';
import { defineEvent } from '../define-event';
import { id } from './common';

/**
 * Where a network's DHCP service runs (stream `dhcp-network:<networkId>`): the
 * DHCP agents serving it. Each agent's DHCP port (device id derived from host
 * and network) exists while the network has a DHCP-enabled subnet. Partitioned
 * by the network, with its subnets and ports, so a DHCP read model sees them in order.
 */
const ref = { networkId: id, projectId: z.string(), agentId: id, host: z.string() };

export const NetworkScheduledToDhcpAgent = defineEvent('NetworkScheduledToDhcpAgent', z.object(ref));
export const NetworkUnscheduledFromDhcpAgent = defineEvent(
  'NetworkUnscheduledFromDhcpAgent',
  z.object({
    ...ref,
    reason: z.enum(['agent_dead', 'agent_deleted', 'network_deleted', 'admin']),
  }),
);
