import type { DomainEvent } from '@cp/events';
import { bindingsOf } from '@cp/domain';
import { ALL_PARTITION, readCheckpoint, TailLoop, writeCheckpoint, type Database } from '@cp/store';
import type { WriteSide } from '@cp/write-model';
import { l3Config, type L3Config } from '../config';
import { SchedulerFacts } from './facts';
import { HaNetworks } from './ha-networks';
import { Placements } from './placements';
import { Reconciler, ReconcileGaveUp, type Outcome } from './reconciler';
import { clearDirty, clearSchedulerState, loadSchedulerState, saveSchedulerState } from './scheduler-state';
import { StreamReader } from './stream-reader';
import { targetsOf } from './targets';

export interface L3SchedulerOptions {
  /** The write side: the store it tails, and the command path its decisions take (as the API's do). */
  writeSide: WriteSide;
  /** Where the checkpoint and state live; the event store's database by default. */
  stateDb?: Database;
  config?: L3Config;
  /** Checkpoint name; instances that must not share state need different names. */
  name?: string;
  actor?: string;
  batchSize?: number;
  /** Re-read the store this often: other processes' appends do not notify this one. */
  pollMs?: number;
  clock?: () => string;
  /** Called when a router could not be scheduled (the scheduler goes on) or a batch failed (it is retried). */
  onError?: (err: Error) => void;
}

/**
 * Bump when the saved state's shape or meaning changes: the scheduler then refolds
 * from 0 (deciding nothing again). 2: HA VNIs are no longer kept (read in the command).
 * 3: placements carry the order in which hosts reported active.
 */
export const SCHEDULER_STATE_VERSION = 3;

/**
 * The HA router process manager (design.md §4). It tails the event store, keeps the
 * facts it decides on (routers, L3 agents) as of each event, and for every event
 * that may change where routers belong reconciles those routers, appending its
 * decisions as events caused by that event. Facts and checkpoint commit together.
 */
export class L3Scheduler {
  readonly name: string;
  readonly config: L3Config;
  readonly facts = new SchedulerFacts();
  readonly reader: StreamReader;
  readonly placements: Placements;
  readonly networks: HaNetworks;
  readonly outcomes: Record<Outcome, number> = { appended: 0, unchanged: 0, 'already-decided': 0, held: 0 };
  private readonly reconciler: Reconciler;
  private readonly db: Database;
  private position = 0;
  private readonly tail: TailLoop;
  private restoreFirst = false;

  constructor(private readonly options: L3SchedulerOptions) {
    this.name = options.name ?? 'l3-scheduler';
    this.config = options.config ?? l3Config();
    this.db = options.stateDb ?? options.writeSide.db;
    this.reader = new StreamReader(options.writeSide.store);
    this.placements = new Placements(this.reader);
    this.networks = new HaNetworks(this.reader);
    this.reconciler = new Reconciler({
      writeSide: options.writeSide,
      facts: this.facts,
      placements: this.placements,
      networks: this.networks,
      config: this.config,
      actor: options.actor ?? 'l3-scheduler',
      clock: options.clock ?? (() => new Date().toISOString()),
    });
    this.tail = new TailLoop(
      () => this.loop(),
      () => this.position,
      {
        onError: options.onError,
        // The batch's checkpoint was not saved, so its events come again; what was already
        // decided is skipped (the causation rule), so retrying is safe. Its facts were applied
        // in memory, though: go back to the saved ones first.
        onFailure: () => (this.restoreFirst = true),
      },
    );
  }

  get checkpoint(): number {
    return this.position;
  }

  /** The last failed batch, for health checks; cleared by a successful one. */
  get lastError(): Error | null {
    return this.tail.lastError;
  }

  async start(): Promise<void> {
    const cp = await readCheckpoint(this.db, this.name, ALL_PARTITION);
    if (cp && cp.version === SCHEDULER_STATE_VERSION) {
      await loadSchedulerState(this.db, this.name, this.facts, this.placements);
      this.position = cp.position;
    } else if (cp) {
      await this.db.transaction((tx) => clearSchedulerState(this.db, tx, this.name));
    }
    this.tail.listen(this.options.writeSide.store, this.options.pollMs);
    await this.catchUp();
  }

  stop(): Promise<void> {
    return this.tail.stop();
  }

  /** Processes everything appended so far (and whatever that appends in turn); rejects if a batch failed. */
  catchUp(): Promise<void> {
    return this.tail.catchUp();
  }

  waitFor(position: number): Promise<void> {
    return this.tail.waitFor(position);
  }

  kick(): void {
    this.tail.kick();
  }

  private async loop(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    if (this.restoreFirst) {
      // Facts of the failed batch were applied in memory; go back to the saved ones.
      this.facts.clear();
      this.placements.clear();
      this.networks.clear();
      await loadSchedulerState(this.db, this.name, this.facts, this.placements);
      this.restoreFirst = false;
    }
    for (;;) {
      const events = await this.options.writeSide.store.readAll(this.position, batchSize);
      if (events.length === 0) break;
      for (const e of events) await this.process(e);
      const last = events[events.length - 1].metadata.position!;
      await this.db.transaction(async (tx) => {
        await saveSchedulerState(this.db, tx, this.name, this.facts, this.placements);
        await writeCheckpoint(this.db, tx, this.name, ALL_PARTITION, { position: last, version: SCHEDULER_STATE_VERSION });
      });
      clearDirty(this.facts, this.placements);
      this.position = last;
      this.tail.progressed();
      if (events.length < batchSize || this.tail.stopped) break;
    }
    this.tail.progressed();
  }

  private async process(e: DomainEvent): Promise<void> {
    const trigger = this.facts.apply(e);
    await this.placements.applyTailed(e, (id) => this.facts.routers.has(id));
    await this.networks.applyTailed(e);
    if (!trigger) return;
    this.reader.remember(e.metadata.eventId, e.metadata.position!);
    for (const { routerId, fill } of await targetsOf(trigger, this.facts, this.placements, this.config)) {
      try {
        this.outcomes[await this.reconciler.reconcile(routerId, e, fill)]++;
      } catch (err) {
        if (!(err instanceof ReconcileGaveUp)) throw err;
        this.options.onError?.(err);
      }
      const facts = this.facts.routers.get(routerId);
      const placement = this.placements.peek(routerId);
      // A deleted router with nothing left on agents needs no memory (its streams stay the truth).
      if (facts?.deleted && placement && bindingsOf(placement.state).length === 0) {
        this.placements.forget(routerId);
        this.facts.forgetRouter(routerId);
      }
    }
  }
}
