import type { EventOfType } from '@cp/events';
import type { Batch } from '../batch';

export const NETWORK_EVENTS = ['NetworkCreated', 'NetworkDeleted'] as const;
type NetworkEvent = EventOfType<(typeof NETWORK_EVENTS)[number]>;

/** Type and segment never change after creation (Neutron refuses provider updates once ports exist). */
export async function applyNetworkEvent({ facts, impact }: Batch, event: NetworkEvent): Promise<void> {
  const d = event.data;
  if (event.type === 'NetworkCreated') await facts.putNetwork(d.id, d.networkType, d.segmentationId ?? null);
  else await facts.deleteNetwork(d.id);
  impact.network(d.id, 'all');
  impact.localNetwork(d.id);
}
