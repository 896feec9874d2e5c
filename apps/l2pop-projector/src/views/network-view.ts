import { cmp, isTunnelled, nullableNumber } from '../model/rules';
import type { Sql } from '@cp/store';
import { candidateHosts, computeMember, loadMembers, sameMember } from './members';
import type { NetMeta, Stamp } from './stamp';

/**
 * Recomputes a network's membership for the hinted hosts (design.md §4) and
 * records what changed: a member's row, and for a host that joined or left, the
 * network in its view. The other members read the changed row when they next
 * ask for their changes; nothing is copied into their views, so a port going up
 * writes one row whatever the number of hosts on its network.
 */
export async function refreshNetwork(q: Sql, stamp: Stamp, networkId: string, hint: Set<string> | 'all'): Promise<void> {
  const net = await q.get<{ network_type: string; segmentation_id: number | null }>(
    'SELECT network_type, segmentation_id FROM l2_networks WHERE id = ?',
    [networkId],
  );
  const meta: NetMeta | null =
    net && isTunnelled(net.network_type) ? { type: net.network_type, seg: nullableNumber(net.segmentation_id) } : null;
  const old = await loadMembers(q, networkId);
  const candidates = hint === 'all' ? new Set([...(await candidateHosts(q, networkId)), ...old.keys()]) : hint;

  const joinedOrLeft = new Set<string>();
  for (const host of [...candidates].sort(cmp)) {
    const after = meta ? await computeMember(q, networkId, host) : null;
    const before = old.get(host);
    if (sameMember(before, after)) continue;
    stamp.member(networkId, host, before, after);
    if (!before || !after) {
      stamp.hostNet(host, networkId, after ? meta : null);
      joinedOrLeft.add(host);
    }
  }
  // A network event: the type or segment the members were shown may differ (ids are
  // UUIDs and the type is fixed in practice; comparing is cheap and exact).
  if (hint === 'all' && meta) {
    const shown = await q.all<{ host: string; network_type: string; segmentation_id: number | null }>(
      'SELECT host, network_type, segmentation_id FROM l2_host_nets WHERE network_id = ? AND deleted = 0',
      [networkId],
    );
    for (const r of shown) {
      if (joinedOrLeft.has(r.host)) continue;
      if (r.network_type !== meta.type || nullableNumber(r.segmentation_id) !== meta.seg) stamp.hostNet(r.host, networkId, meta);
    }
  }
}
