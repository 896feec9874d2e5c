import type { EntitySchema } from '@mikro-orm/core';
import type { DomainEvent, EventType } from '@cp/events';
import type { Database, Tx } from './db';

export interface BatchOptions {
  /**
   * The runner calls `flush()` once after the batch's last `apply`, inside the
   * transaction and before it writes the checkpoint.
   */
  batched?: boolean;
  /**
   * The batch replays the history from position 0 into a new or truncated model,
   * in one transaction (see Projection.replayInOneTransaction).
   */
  fromScratch?: boolean;
}

/**
 * One batch's context, handed to every `apply` of the batch: what to run once the
 * batch's transaction has committed (e.g. wake watchers) and, when the runner
 * created it `batched`, what to run once before it commits (`beforeCommit`), so a
 * projection can derive rows once per batch for keys that several events touched.
 * Created without options (tests, ad-hoc callers), a context is not batched and a
 * projection must finish each event within `apply`.
 */
export class AfterCommit {
  readonly batched: boolean;
  readonly fromScratch: boolean;
  private readonly hooks: Array<() => void> = [];
  private readonly pending: Array<() => Promise<void>> = [];

  constructor(options: BatchOptions = {}) {
    this.batched = options.batched ?? false;
    this.fromScratch = this.batched && (options.fromScratch ?? false);
  }

  add(hook: () => void): void {
    this.hooks.push(hook);
  }

  /** Runs `hook` in the batch's transaction after its last event (batched runners only). */
  beforeCommit(hook: () => Promise<void>): void {
    if (!this.batched) throw new Error('beforeCommit needs a batched runner');
    this.pending.push(hook);
  }

  /** Called by the runner once per batch, in its transaction, before the checkpoint is written. */
  async flush(): Promise<void> {
    while (this.pending.length > 0) await this.pending.shift()!();
  }

  run(): void {
    for (const h of this.hooks) h();
  }
}

/**
 * A read model: its tables, the events it declares, and how one event changes
 * its rows. `apply` must be deterministic in the event alone (no clock, no
 * config read midway) so a rebuild from position 0 equals the live model.
 * With a batched context, `apply` may leave part of the work to a hook it
 * registers with `after.beforeCommit`; the batch is complete once flushed.
 */
export interface Projection {
  readonly name: string;
  /** Bump to force a rebuild on the next start. */
  readonly version: number;
  readonly tables: EntitySchema[];
  readonly handles: readonly EventType[];
  apply(tx: Tx, event: DomainEvent, after: AfterCommit): Promise<void>;
  /** Table names in deletion order, for truncation before a rebuild. */
  readonly tableNames: readonly string[];
  /** A stable digest of the whole read model, to compare live and rebuilt copies. */
  digest(db: Database): Promise<string>;
  /**
   * Replaying from position 0 (a new or truncated model), StoreProjector applies the
   * history up to the head in one transaction, as one batch with `fromScratch` set:
   * the projection may then derive its views once at the end rather than follow
   * every batch, and no commit ever shows facts without their views. Off by default.
   */
  readonly replayInOneTransaction?: boolean;
}
