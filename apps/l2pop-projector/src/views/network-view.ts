import { cmp, isTunnelled, nullableNumber } from '../model/rules';
import type { Sql } from '@cp/store';
import type { NetworkState } from './hot-state';
import { candidateHosts, computeMember, sameMember, type NetMeta } from './members';
import type { Stamp } from './stamp';

/**
 * Recomputes a network's membership for the hinted hosts (design.md §4) and
 * records what changed: a member's row, and for a host that joined or left, the
 * network in its view. The other members read the changed row when they next
 * ask for their changes; nothing is copied into their views, so a port going up
 * writes one row whatever the number of hosts on its network.
 */
export async function refreshNetwork(
  q: Sql,
  stamp: Stamp,
  networkId: string,
  hint: Set<string> | 'all',
  /** The network's members and viewers as the batch found them; the stamp keeps them in step. */
  state: NetworkState,
): Promise<void> {
  const net = await q.get<{ network_type: string; segmentation_id: number | null }>(
    'SELECT network_type, segmentation_id FROM l2_networks WHERE id = ?',
    [networkId],
  );
  const meta: NetMeta | null =
    net && isTunnelled(net.network_type) ? { type: net.network_type, seg: nullableNumber(net.segmentation_id) } : null;
  const old = new Map(state.members);
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
    for (const [host, shown] of [...state.viewers]) {
      if (joinedOrLeft.has(host)) continue;
      if (shown.type !== meta.type || shown.seg !== meta.seg) stamp.hostNet(host, networkId, meta);
    }
  }
}
