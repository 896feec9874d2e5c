import type { EntitySchema } from '@mikro-orm/core';
import type { DomainEvent, EventType } from '../../events/src';
import type { Database, Tx } from './database';

/** Collects what a batch must do once its transaction has committed (e.g. wake watchers). */
export class AfterCommit {
  private readonly hooks: Array<() => void> = [];
  add(hook: () => void): void {
    this.hooks.push(hook);
  }
  run(): void {
    for (const h of this.hooks) h();
  }
}

/**
 * A read model: its tables, the events it declares, and how one event changes
 * its rows. `apply` must be deterministic in the event alone (no clock, no
 * config read midway) so a rebuild from position 0 equals the live model.
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
}
