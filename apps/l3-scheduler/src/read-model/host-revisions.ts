import { formatRevision, type CompactionOptions } from '@cp/host-feed';
import { cmp, type Sql } from '@cp/store';
import { L3_CLOCK } from './l3.tables';

/** What one transaction already knows of the epoch and host revisions (it is their only writer). */
export interface RevCache {
  epoch: number | null;
  revs: Map<string, number>;
}

/**
 * Stamps the (host, router) documents an event changed with the host's next
 * revision on the L3 feed's clock (libs/host-feed): revisions are `<epoch>-<n>`,
 * opaque and monotonic per host, and a rebuild starts a new epoch, so agents
 * holding an old revision get a resync instead of a wrong delta. Every few
 * revisions, a host's tombstones older than the window go and its horizon moves.
 */
export async function stampHosts(
  q: Sql,
  pairs: ReadonlyArray<{ host: string; routerId: string; deleted: boolean }>,
  options: CompactionOptions,
  cache: RevCache = { epoch: null, revs: new Map() },
): Promise<Map<string, string>> {
  const byHost = new Map<string, Map<string, boolean>>();
  for (const p of pairs) {
    if (!byHost.has(p.host)) byHost.set(p.host, new Map());
    byHost.get(p.host)!.set(p.routerId, p.deleted);
  }
  const changed = new Map<string, string>();
  if (byHost.size === 0) return changed;
  const epoch = (cache.epoch ??= await L3_CLOCK.ensureEpoch(q));
  for (const host of [...byHost.keys()].sort(cmp)) {
    let last = cache.revs.get(host);
    if (last === undefined) last = Number((await q.get<{ rev: number }>('SELECT rev FROM l3_host_revs WHERE host = ?', [host]))?.rev ?? 0);
    const rev = last + 1;
    cache.revs.set(host, rev);
    for (const [routerId, deleted] of byHost.get(host)!) {
      await q.upsert('l3_host_routers', { host, router_id: routerId }, { rev, deleted: deleted ? 1 : 0 });
    }
    if (rev % options.compactEvery === 0 && rev > options.keepRevisions) {
      const horizon = rev - options.keepRevisions;
      await q.run('DELETE FROM l3_host_routers WHERE host = ? AND deleted = 1 AND rev <= ?', [host, horizon]);
      await L3_CLOCK.writeRevision(q, host, rev, horizon);
    } else {
      await L3_CLOCK.advance(q, host, rev);
    }
    changed.set(host, formatRevision(epoch, rev));
  }
  return changed;
}
