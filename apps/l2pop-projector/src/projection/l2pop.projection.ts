import type { DomainEvent } from '../../../../libs/events/src';
import type { AfterCommit, Database, Projection, Tx } from '../../../../libs/store/src';
import { cmp } from '../model/rules';
import { L2POP_TABLES, L2POP_TABLE_NAMES } from '../model/tables';
import { refreshHostSets, refreshSet, SetMembers } from '../views/ipset-view';
import { refreshNetwork } from '../views/network-view';
import { DEFAULT_COMPACTION, formatRevision, RevTracker, type CompactionOptions } from '../views/revisions';
import { ViewWriter } from '../views/view-writer';
import { digestModel } from './digest';
import { Impact } from './impact';
import { applyFacts, HANDLED_EVENTS } from './route';
import { TxSql } from './sql';

/** Hosts whose views a committed batch changed, with their new revisions. */
export type HostRevisions = ReadonlyMap<string, string>;

export interface L2popProjectionOptions {
  compaction?: Partial<CompactionOptions>;
  /** Runs after the batch commits (never for a rolled-back one): wakes the hosts' watchers. */
  onCommitted?: (changed: HostRevisions) => void;
}

/**
 * FDB entries, flood lists and ipsets per host (DESIGN.md 4), served to L2 agents.
 * Each event updates normalised facts, then recomputes only the derived keys it
 * named (a network for some hosts, some ipsets) and writes only rows whose value
 * changed, each stamped with its host's next revision (DESIGN.md 7).
 */
export class L2popProjection implements Projection {
  readonly name = 'l2pop';
  readonly version = 1;
  readonly tables = L2POP_TABLES;
  readonly tableNames = L2POP_TABLE_NAMES;
  readonly handles = HANDLED_EVENTS;
  private readonly compaction: CompactionOptions;

  constructor(
    /** The read model's database (the Projection interface hands `apply` only the transaction). */
    private readonly db: Database,
    private readonly options: L2popProjectionOptions = {},
  ) {
    this.compaction = { ...DEFAULT_COMPACTION, ...options.compaction };
  }

  async apply(tx: Tx, event: DomainEvent, after: AfterCommit): Promise<void> {
    const q = new TxSql(this.db, tx);
    const impact = new Impact();
    await applyFacts(q, event, impact);

    const revs = new RevTracker(q);
    const views = new ViewWriter(q, revs);
    const members = new SetMembers(q);
    for (const [networkId, hosts] of impact.networks) await refreshNetwork(q, views, networkId, hosts);
    for (const host of [...impact.setHosts].sort(cmp)) await refreshHostSets(q, views, members, host);
    for (const { groupId, ethertype } of impact.sets.values()) await refreshSet(q, views, members, groupId, ethertype);

    const epoch = await revs.commit(this.compaction);
    const notify = this.options.onCommitted;
    if (notify && revs.touched.size > 0) {
      const changed = new Map([...revs.touched].map(([host, rev]) => [host, formatRevision(epoch, rev)]));
      after.add(() => notify(changed));
    }
  }

  digest(db: Database): Promise<string> {
    return digestModel(db);
  }
}
