import type { Database, Tx } from '@cp/store';
import { cmp, type Sql } from './sql';

export interface CompactionOptions {
  /** Tombstones stay this many host revisions, so an agent this far behind still gets a delta. */
  keepRevisions: number;
  /** Compact a host every this many of its revisions. */
  compactEvery: number;
}

export const DEFAULT_COMPACTION: CompactionOptions = { keepRevisions: 1000, compactEvery: 100 };

/**
 * Stamps the (host, router) documents an event changed with the host's next
 * revision, the same scheme as the L2 model: revisions are `<epoch>-<n>`, opaque
 * and monotonic per host; a rebuild starts a new epoch, so agents holding an old
 * revision get a resync instead of a wrong delta.
 */
/** What one transaction already knows of the epoch and host revisions (it is their only writer). */
export interface RevCache {
  epoch: number | null;
  revs: Map<string, number>;
}

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
  const epoch = (cache.epoch ??= await ensureEpoch(q));
  for (const host of [...byHost.keys()].sort(cmp)) {
    let last = cache.revs.get(host);
    if (last === undefined) last = Number((await q.get<{ rev: number }>('SELECT rev FROM l3_host_revs WHERE host = ?', [host]))?.rev ?? 0);
    const rev = last + 1;
    cache.revs.set(host, rev);
    for (const [routerId, deleted] of byHost.get(host)!) {
      await q.upsert('l3_host_routers', { host, router_id: routerId }, { rev, deleted: deleted ? 1 : 0 });
    }
    await q.run(
      `INSERT INTO l3_host_revs (host, rev, horizon) VALUES (?, ?, 0) ON CONFLICT (host) DO UPDATE SET rev = excluded.rev`,
      [host, rev],
    );
    if (rev % options.compactEvery === 0 && rev > options.keepRevisions) {
      const horizon = rev - options.keepRevisions;
      await q.run('DELETE FROM l3_host_routers WHERE host = ? AND deleted = 1 AND rev <= ?', [host, horizon]);
      await q.run('UPDATE l3_host_revs SET horizon = ? WHERE host = ?', [horizon, host]);
    }
    changed.set(host, formatRevision(epoch, rev));
  }
  return changed;
}

async function ensureEpoch(q: Sql): Promise<number> {
  const row = await q.get<{ epoch: number }>('SELECT epoch FROM l3_model WHERE id = 1');
  if (row) return Number(row.epoch);
  const epoch = await upcomingEpoch(q.db, q.tx);
  await q.run('INSERT INTO l3_epochs (id, last_epoch) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_epoch = excluded.last_epoch', [epoch]);
  await q.run('INSERT INTO l3_model (id, epoch) VALUES (1, ?)', [epoch]);
  return epoch;
}

/** The current epoch; for an empty (fresh or just truncated) model, the one its first write starts. */
export async function currentEpoch(db: Database, tx?: Tx): Promise<number> {
  const row = await db.get<{ epoch: number }>('SELECT epoch FROM l3_model WHERE id = 1', [], tx);
  return row ? Number(row.epoch) : upcomingEpoch(db, tx);
}

async function upcomingEpoch(db: Database, tx?: Tx): Promise<number> {
  const last = await db.get<{ last_epoch: number }>('SELECT last_epoch FROM l3_epochs WHERE id = 1', [], tx);
  return Number(last?.last_epoch ?? 0) + 1;
}

export function formatRevision(epoch: number, rev: number): string {
  return `${epoch}-${rev}`;
}

export function parseRevision(text: string | null | undefined): { epoch: number; rev: number } | null {
  const m = /^(\d{1,15})-(\d{1,15})$/.exec(text ?? '');
  return m ? { epoch: Number(m[1]), rev: Number(m[2]) } : null;
}
