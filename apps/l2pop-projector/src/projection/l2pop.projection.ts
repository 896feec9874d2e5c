import type { DomainEvent } from '@cp/events';
import { DEFAULT_COMPACTION, formatRevision, type CompactionOptions } from '@cp/host-feed';
import { Sql, type AfterCommit, type Database, type Projection, type Tx } from '@cp/store';
import { L2POP_INDEXES, L2POP_TABLES, L2POP_TABLE_NAMES } from '../model/tables';
import { deriveAll } from '../views/derive-all';
import { hostsOfSet, refreshHostSets } from '../views/ipset-view';
import { localHosts } from '../views/local-view';
import { refreshNetwork } from '../views/network-view';
import { HotState } from '../views/hot-state';
import { Stamp, type Stamped } from '../views/stamp';
import { Batch } from './batch';
import { digestModel } from './digest';
import { applyFacts, HANDLED_EVENTS } from './route';

/** Hosts whose views a committed batch changed, with their new revisions. */
export type HostRevisions = ReadonlyMap<string, string>;

export interface L2popProjectionOptions {
  compaction?: Partial<CompactionOptions>;
  /** Rows of per-network and per-set state kept in memory; DEFAULT_HOT_ROWS by default. */
  hotRows?: number;
  /** Runs after the batch commits (never for a rolled-back one): wakes the hosts' watchers. */
  onCommitted?: (changed: HostRevisions) => void;
}

/**
 * FDB entries, flood lists and ipsets per host (design.md §4), served to L2 agents.
 * Each event updates normalised facts and names the derived keys it may have
 * changed (a network for some hosts, some ipsets). Once per batch (per event when
 * the runner does not batch), those keys are recomputed and only rows whose value
 * changed are written: per-network members, per-group set members, and which
 * networks and sets each host takes part in. The hosts concerned move to a new
 * revision (views/stamp.ts), and read their FDB, flood lists and set members
 * through joins (query/l2-queries.ts): work per event is in the hosts concerned,
 * and nothing is copied per host (design.md §7). What a batch reads of each
 * network and set it touches (members, who takes part, holders) is kept in memory
 * between batches and checked against the database's version of it (views/hot-state.ts).
 *
 * Replayed from position 0 in one transaction (StoreProjector from a new or
 * truncated model, `rebuild`, `verify`), events update the facts in memory, and
 * the facts and every view are written once, before the commit (deriveAll).
 */
export class L2popProjection implements Projection {
  readonly name = 'l2pop';
  /**
   * 2: per-network and per-group rows joined at read time instead of per-host copies.
   * 3: each host's own ports and their groups' rules (port security, rule specs, l2_host_local).
   * 4: entry-level rows for deltas that carry only what changed (l2_fdb, member `joined`, set IP tombstones and seqs).
   * 5: versions of the per-network and per-set state (l2_state_versions), which instances keep in memory:
   *    an instance of an earlier build would change that state without moving its version.
   */
  readonly version = 5;
  readonly tables = L2POP_TABLES;
  readonly tableNames = L2POP_TABLE_NAMES;
  readonly handles = HANDLED_EVENTS;
  readonly replayInOneTransaction = true;
  private readonly compaction: CompactionOptions;
  private readonly batches = new WeakMap<AfterCommit, Batch>();
  /** Per-network and per-set state kept between batches (views/hot-state.ts). */
  readonly hot: HotState;

  constructor(
    /** The read model's database (the Projection interface hands `apply` only the transaction). */
    private readonly db: Database,
    private readonly options: L2popProjectionOptions = {},
  ) {
    this.compaction = { ...DEFAULT_COMPACTION, ...options.compaction };
    this.hot = new HotState(options.hotRows);
  }

  async apply(tx: Tx, event: DomainEvent, after: AfterCommit): Promise<void> {
    if (!after.batched) {
      const batch = await this.begin(new Sql(this.db, tx), after);
      await applyFacts(batch, event);
      await this.finish(batch, after);
      return;
    }
    let batch = this.batches.get(after);
    if (!batch) {
      const begun = await this.begin(new Sql(this.db, tx), after);
      this.batches.set(after, (batch = begun));
      after.beforeCommit(() => this.finish(begun, after));
    }
    await applyFacts(batch, event);
  }

  digest(db: Database): Promise<string> {
    return digestModel(db);
  }

  /**
   * A replay from scratch (the runner applies the history from position 0 in one
   * transaction) into an empty model keeps the facts in memory, then writes them
   * and derives every view once at the end. Otherwise the views follow the batch.
   */
  private async begin(q: Sql, after: AfterCommit): Promise<Batch> {
    return new Batch(q, after.fromScratch && (await isEmpty(q)));
  }

  /** Runs once per batch, before its checkpoint is written (or at the end of `apply` for an unbatched runner). */
  private async finish(batch: Batch, after: AfterCommit): Promise<void> {
    const { q } = batch;
    let stamped: Stamped;
    if (batch.mem) {
      const mem = batch.mem;
      stamped = await withBulkWrite(q, async () => {
        await mem.write(q);
        return deriveAll(q, mem);
      });
      // Every row was written anew, in a new epoch: nothing cached is of use any more.
      after.add(() => this.hot.clear());
    } else {
      const { impact } = batch;
      const hot = this.hot.begin(q);
      await hot.load(impact.networks.keys(), [...impact.sets.values(), ...impact.members.values()]);
      const stamp = new Stamp(q, this.compaction, hot);
      for (const [networkId, hosts] of impact.networks) await refreshNetwork(q, stamp, networkId, hosts, hot.network(networkId));
      for (const { groupId, ethertype } of impact.sets.values()) {
        for (const host of await hostsOfSet(q, groupId, ethertype, hot.set(groupId, ethertype).holders)) impact.hostSets(host);
      }
      await refreshHostSets(q, stamp, [...impact.setHosts]);
      for (const { groupId, ethertype, ips } of impact.members.values()) stamp.setMembers(groupId, ethertype, ips);
      for (const host of await localHosts(q, impact)) stamp.hostLocal(host);
      stamped = await stamp.commit();
      await hot.commit(after);
    }
    const notify = this.options.onCommitted;
    if (notify && stamped.hosts.length > 0) {
      const revision = formatRevision(stamped.epoch, stamped.seq);
      const changed = new Map(stamped.hosts.map((host) => [host, revision]));
      after.add(() => notify(changed));
    }
  }
}

/** Nothing stored yet: a new or truncated model. */
async function isEmpty(q: Sql): Promise<boolean> {
  for (const table of L2POP_TABLE_NAMES) {
    if ((await q.get(`SELECT 1 AS x FROM ${table} LIMIT 1`)) !== undefined) return false;
  }
  return true;
}

/**
 * SQLite, while a whole model is written in one transaction: a larger page
 * cache, and the secondary indexes dropped, then each built once from sorted
 * keys at the end (both undone by a rollback: SQLite's DDL is transactional).
 * Filled row by row in random key order (ports by network and host, members by
 * host, sets by group), those indexes missed the cache and spilled pages.
 */
async function withBulkWrite<T>(q: Sql, fn: () => Promise<T>): Promise<T> {
  if (q.db.kind !== 'sqlite') return fn();
  const before = await q.get<{ cache_size: number }>('PRAGMA cache_size');
  await q.run(`PRAGMA cache_size = ${BULK_CACHE_KIB}`);
  try {
    for (const i of L2POP_INDEXES) await q.run(`DROP INDEX IF EXISTS ${i.name}`);
    const result = await fn();
    for (const i of L2POP_INDEXES) await q.run(`CREATE INDEX ${i.name} ON ${i.table} (${i.columns.join(', ')})`);
    return result;
  } finally {
    await q.run(`PRAGMA cache_size = ${Number(before?.cache_size ?? -2000)}`);
  }
}

/** 64 MiB (negative: KiB), enough for the facts' indexes of a million-event model. */
const BULK_CACHE_KIB = -65536;
