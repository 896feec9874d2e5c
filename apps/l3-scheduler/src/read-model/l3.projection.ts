import type { DomainEvent } from '@cp/events';
import { DEFAULT_COMPACTION, type CompactionOptions } from '@cp/host-feed';
import { inChunks, placeholders, Sql, type AfterCommit, type Database, type Projection, type Tx } from '@cp/store';
import { applyFacts, HANDLED_EVENTS, Impact } from './apply-facts';
import { stampHosts, type RevCache } from './host-revisions';
import { digestModel } from './l3.digest';
import { L3_TABLE_NAMES, L3_TABLES } from './l3.tables';

/** Hosts whose L3 documents a committed event changed, with their new revisions. */
export type HostRevisions = ReadonlyMap<string, string>;

export interface L3ProjectionOptions {
  compaction?: Partial<CompactionOptions>;
  /** Runs after the batch commits (never for a rolled-back one): wakes the hosts' watchers. */
  onCommitted?: (changed: HostRevisions) => void;
}

/**
 * The L3 agent read model (design.md §1, 5): routers with their HA network, VRID,
 * bindings (agent, host, priority) and reported HA state, served per host. It
 * writes only its own tables; the decisions it shows were recorded by the
 * scheduler as events, so a rebuild from position 0 shows the same.
 */
export class L3Projection implements Projection {
  readonly name = 'l3';
  readonly version = 1;
  readonly tables = L3_TABLES;
  readonly tableNames = L3_TABLE_NAMES;
  readonly handles = HANDLED_EVENTS;
  private readonly compaction: CompactionOptions;

  constructor(
    /** The read model's database (the Projection interface hands `apply` only the transaction). */
    private readonly db: Database,
    private readonly options: L3ProjectionOptions = {},
  ) {
    this.compaction = { ...DEFAULT_COMPACTION, ...options.compaction };
  }

  async apply(tx: Tx, event: DomainEvent, after: AfterCommit): Promise<void> {
    const q = new Sql(this.db, tx);
    const impact = new Impact();
    await applyFacts(q, event, impact);
    const pairs = new Map<string, { host: string; routerId: string; deleted: boolean }>();
    for (const left of impact.left) pairs.set(`${left.host}\u0000${left.routerId}`, { ...left, deleted: true });
    for (const one of impact.one) pairs.set(`${one.host}\u0000${one.routerId}`, { ...one, deleted: false });
    const routers = [...impact.routers];
    const bound = await inChunks(routers, (chunk) =>
      q.all<{ router_id: string; host: string }>(
        `SELECT router_id, host FROM l3_bindings WHERE router_id IN (${placeholders(chunk.length)})`,
        chunk,
      ),
    );
    for (const b of bound) pairs.set(`${b.host}\u0000${b.router_id}`, { host: b.host, routerId: b.router_id, deleted: false });
    const changed = await stampHosts(q, [...pairs.values()], this.compaction, this.revCache(tx));
    const notify = this.options.onCommitted;
    if (notify && changed.size > 0) after.add(() => notify(changed));
  }

  /**
   * Host revisions already read in this batch's transaction: a batch stamps the same
   * hosts over and over. Keyed by the transaction, so a rolled-back batch's numbers
   * die with it.
   */
  private readonly revs = new WeakMap<Tx, RevCache>();
  private revCache(tx: Tx): RevCache {
    let cache = this.revs.get(tx);
    if (!cache) this.revs.set(tx, (cache = { epoch: null, revs: new Map() }));
    return cache;
  }

  digest(db: Database): Promise<string> {
    return digestModel(db);
  }
}
