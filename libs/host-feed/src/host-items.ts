import { cmp, inChunks, placeholders, type Database, type Sql, type Tx } from '@cp/store';
import type { FeedClock } from './feed-clock';
import { formatRevision, type CompactionOptions } from './revisions';

/**
 * A read model whose host documents are made of items (the L3 model's routers,
 * the DHCP model's networks), each given whole when it changes. Its change log
 * is one table `(host, <key>, rev, deleted)`: the revision at which the item's
 * document on that host last changed, `deleted` rows being tombstones.
 */
export interface HostItemLog {
  clock: FeedClock;
  /** e.g. `l3_host_routers` */
  table: string;
  /** e.g. `router_id` */
  key: string;
}

/** Which items' documents an event changed. */
export class ItemImpact {
  /** Items whose document changed on every host that has them. */
  readonly items = new Set<string>();
  /** An item's document changed on one host only (its new binding there). */
  readonly one: Array<{ host: string; item: string }> = [];
  /** An item that left a host: that host gets a tombstone. */
  readonly left: Array<{ host: string; item: string }> = [];
}

/** What one transaction already knows of the epoch and host revisions (it is their only writer). */
export interface RevCache {
  epoch: number | null;
  revs: Map<string, number>;
}

/**
 * Host revisions already read in a batch's transaction: a batch stamps the same
 * hosts over and over. Keyed by the transaction, so a rolled-back batch's
 * numbers die with it.
 */
export class TxRevCaches {
  private readonly caches = new WeakMap<Tx, RevCache>();

  of(tx: Tx): RevCache {
    let cache = this.caches.get(tx);
    if (!cache) this.caches.set(tx, (cache = { epoch: null, revs: new Map() }));
    return cache;
  }
}

/**
 * Stamps what `impact` says changed: the items left (tombstones), the single
 * (host, item) pairs, and every host the changed items are on now (`hostsOf`
 * reads them, in the same transaction). Returns the hosts concerned with their
 * new revisions.
 */
export async function stampImpact(
  q: Sql,
  log: HostItemLog,
  impact: ItemImpact,
  hostsOf: (items: string[]) => Promise<Array<{ item: string; host: string }>>,
  options: CompactionOptions,
  cache: RevCache,
): Promise<Map<string, string>> {
  const pairs = new Map<string, { host: string; item: string; deleted: boolean }>();
  for (const left of impact.left) pairs.set(`${left.host}\u0000${left.item}`, { ...left, deleted: true });
  for (const one of impact.one) pairs.set(`${one.host}\u0000${one.item}`, { ...one, deleted: false });
  const bound = await inChunks([...impact.items], (chunk) => hostsOf(chunk));
  for (const b of bound) pairs.set(`${b.host}\u0000${b.item}`, { host: b.host, item: b.item, deleted: false });
  return stampHostItems(q, log, [...pairs.values()], options, cache);
}

/** `hostsOf` for a bindings table: `SELECT <key>, host FROM <table> WHERE <key> IN (...)`. */
export function hostsIn(q: Sql, table: string, key: string): (items: string[]) => Promise<Array<{ item: string; host: string }>> {
  return (items) =>
    q.all<{ item: string; host: string }>(
      `SELECT ${key} AS item, host FROM ${table} WHERE ${key} IN (${placeholders(items.length)})`,
      items,
    );
}

/**
 * Stamps the (host, item) documents an event changed with the host's next
 * revision on the model's clock: revisions are `<epoch>-<n>`, opaque and
 * monotonic per host, and a rebuild starts a new epoch, so agents holding an old
 * revision get a resync instead of a wrong delta. Every few revisions, a host's
 * tombstones older than the window go and its horizon moves.
 */
export async function stampHostItems(
  q: Sql,
  log: HostItemLog,
  pairs: ReadonlyArray<{ host: string; item: string; deleted: boolean }>,
  options: CompactionOptions,
  cache: RevCache = { epoch: null, revs: new Map() },
): Promise<Map<string, string>> {
  const byHost = new Map<string, Map<string, boolean>>();
  for (const p of pairs) {
    if (!byHost.has(p.host)) byHost.set(p.host, new Map());
    byHost.get(p.host)!.set(p.item, p.deleted);
  }
  const changed = new Map<string, string>();
  if (byHost.size === 0) return changed;
  const { clock, table, key } = log;
  const epoch = (cache.epoch ??= await clock.ensureEpoch(q));
  for (const host of [...byHost.keys()].sort(cmp)) {
    let last = cache.revs.get(host);
    if (last === undefined)
      last = Number((await q.get<{ rev: number }>(`SELECT rev FROM ${clock.prefix}_host_revs WHERE host = ?`, [host]))?.rev ?? 0);
    const rev = last + 1;
    cache.revs.set(host, rev);
    for (const [item, deleted] of byHost.get(host)!) {
      await q.upsert(table, { host, [key]: item }, { rev, deleted: deleted ? 1 : 0 });
    }
    if (rev % options.compactEvery === 0 && rev > options.keepRevisions) {
      const horizon = rev - options.keepRevisions;
      await q.run(`DELETE FROM ${table} WHERE host = ? AND deleted = 1 AND rev <= ?`, [host, horizon]);
      await clock.writeRevision(q, host, rev, horizon);
    } else {
      await clock.advance(q, host, rev);
    }
    changed.set(host, formatRevision(epoch, rev));
  }
  return changed;
}

/** The items whose document on `host` changed after revision `from` (removed ones included), sorted. */
export async function itemsChangedSince(db: Database, tx: Tx | undefined, log: HostItemLog, host: string, from: number): Promise<string[]> {
  const rows = await db.all<{ item: string }>(`SELECT ${log.key} AS item FROM ${log.table} WHERE host = ? AND rev > ?`, [host, from], tx);
  return rows.map((r) => r.item).sort(cmp);
}
