import type { EventOfType } from '../../../../../libs/events/src';
import type { Impact } from '../impact';
import type { TxSql } from '../sql';

export const NETWORK_EVENTS = ['NetworkCreated', 'NetworkDeleted'] as const;
type NetworkEvent = EventOfType<(typeof NETWORK_EVENTS)[number]>;

/** Type and segment never change after creation (Neutron refuses provider updates once ports exist). */
export async function applyNetworkEvent(q: TxSql, event: NetworkEvent, impact: Impact): Promise<void> {
  const d = event.data;
  if (event.type === 'NetworkCreated') {
    await q.run(
      `INSERT INTO l2_networks (id, network_type, segmentation_id) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET network_type = excluded.network_type, segmentation_id = excluded.segmentation_id`,
      [d.id, d.networkType, d.segmentationId],
    );
  } else {
    await q.run('DELETE FROM l2_networks WHERE id = ?', [d.id]);
  }
  impact.network(d.id, 'all');
}
