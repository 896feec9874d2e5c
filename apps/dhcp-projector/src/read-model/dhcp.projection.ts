import type { DomainEvent } from '@cp/events';
import { DEFAULT_COMPACTION, hostsIn, ItemImpact, stampImpact, TxRevCaches, type CompactionOptions } from '@cp/host-feed';
import { Sql, type AfterCommit, type Database, type Projection, type Tx } from '@cp/store';
import { applyFacts, HANDLED_EVENTS } from './apply-facts';
import { digestModel } from './dhcp.digest';
import { DHCP_HOST_LOG, DHCP_TABLE_NAMES, DHCP_TABLES } from './dhcp.tables';

export interface DhcpProjectionOptions {
  compaction?: Partial<CompactionOptions>;
  /** Runs after the batch commits (never for a rolled-back one): wakes the hosts' watchers. */
  onCommitted?: (changed: ReadonlyMap<string, string>) => void;
}

/**
 * The DHCP agent read model (design.md §1, 5): per network its DHCP-enabled
 * subnets with their options and its ports' addresses, served to the hosts of
 * the DHCP agents the network is scheduled to. It writes only its own tables;
 * the scheduling it shows was recorded as events by the commands that decided
 * it, so a rebuild from position 0 shows the same.
 */
export class DhcpProjection implements Projection {
  readonly name = 'dhcp';
  readonly version = 1;
  readonly tables = DHCP_TABLES;
  readonly tableNames = DHCP_TABLE_NAMES;
  readonly handles = HANDLED_EVENTS;
  private readonly compaction: CompactionOptions;
  private readonly revs = new TxRevCaches();

  constructor(
    /** The read model's database (the Projection interface hands `apply` only the transaction). */
    private readonly db: Database,
    private readonly options: DhcpProjectionOptions = {},
  ) {
    this.compaction = { ...DEFAULT_COMPACTION, ...options.compaction };
  }

  async apply(tx: Tx, event: DomainEvent, after: AfterCommit): Promise<void> {
    const q = new Sql(this.db, tx);
    const impact = new ItemImpact();
    await applyFacts(q, event, impact);
    const hostsOf = hostsIn(q, 'dhcp_bindings', 'network_id');
    const changed = await stampImpact(q, DHCP_HOST_LOG, impact, hostsOf, this.compaction, this.revs.of(tx));
    const notify = this.options.onCommitted;
    if (notify && changed.size > 0) after.add(() => notify(changed));
  }

  digest(db: Database): Promise<string> {
    return digestModel(db);
  }
}
