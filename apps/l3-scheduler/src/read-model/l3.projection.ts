import type { DomainEvent } from '@cp/events';
import { DEFAULT_COMPACTION, hostsIn, ItemImpact, stampImpact, TxRevCaches, type CompactionOptions } from '@cp/host-feed';
import { Sql, type AfterCommit, type Database, type Projection, type Tx } from '@cp/store';
import { applyFacts, HANDLED_EVENTS } from './apply-facts';
import { digestModel } from './l3.digest';
import { L3_HOST_LOG, L3_TABLE_NAMES, L3_TABLES } from './l3.tables';

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
    const impact = new ItemImpact();
    await applyFacts(q, event, impact);
    const hostsOf = hostsIn(q, 'l3_bindings', 'router_id');
    const changed = await stampImpact(q, L3_HOST_LOG, impact, hostsOf, this.compaction, this.revs.of(tx));
    const notify = this.options.onCommitted;
    if (notify && changed.size > 0) after.add(() => notify(changed));
  }

  private readonly revs = new TxRevCaches();

  digest(db: Database): Promise<string> {
    return digestModel(db);
  }
}
