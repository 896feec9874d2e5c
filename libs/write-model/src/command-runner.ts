import type { CommandContext, DomainEvent, DomainEventBody } from '@cp/events';
import { isRejection, type Decider } from '@cp/domain';
import { isConflictError, type EventStore, type Tx } from '@cp/store';
import { RejectionError, RetriesExhausted } from './rejection';
import { ResourceStore } from './resources/resource-store';
import { StreamCache } from './stream-cache';

interface Loaded<S> {
  state: S;
  version: number;
  /** The state as stored, before this command decided anything on the stream. */
  stored: S;
}

/**
 * One command's work: load streams by folding their events, decide, queue the
 * events with the version they were decided on, and append them all at once.
 * Facts that span aggregates are read through `tx`, inside the same transaction.
 */
export class UnitOfWork {
  private readonly loaded = new Map<string, Loaded<unknown>>();
  /** Every decided event in decision order, so the store keeps cause before effect across streams. */
  private readonly decided: Array<{ streamId: string; event: DomainEventBody }> = [];
  private readonly reads = new Map<string, Promise<unknown>>();
  /** The project the events are recorded under (see recordUnder). */
  private project: string;
  readonly resources: ResourceStore;

  constructor(
    private readonly store: EventStore,
    readonly tx: Tx,
    readonly ctx: CommandContext,
    /** Folded states shared across the runner's commands. */
    private readonly cache: StreamCache,
  ) {
    this.resources = new ResourceStore(store.db);
    this.project = ctx.projectId;
  }

  get db() {
    return this.store.db;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any command/event type: loading only folds
  async load<S>(decider: Decider<any, S, any>, streamId: string): Promise<S> {
    return (await this.entry(decider as Decider<never, S, never>, streamId)).state;
  }

  /** Decides on a stream; a rejection aborts the whole command (nothing is appended). */
  async decide<C, S, E extends DomainEventBody>(decider: Decider<C, S, E>, streamId: string, command: C): Promise<E[]> {
    const entry = await this.entry(decider as Decider<never, S, never>, streamId);
    const result = decider.decide(command, entry.state);
    if (isRejection(result)) throw new RejectionError(result);
    for (const e of result) entry.state = decider.evolve(entry.state, e);
    for (const event of result) this.decided.push({ streamId, event });
    return result;
  }

  /**
   * What this command decided so far, in order: facts it must see before its
   * events are stored (the inline indexes are written only at commit), such as
   * addresses claimed by a port or a subnet created earlier in the same command.
   */
  get decisions(): ReadonlyArray<{ streamId: string; event: DomainEventBody }> {
    return this.decided;
  }

  /** A loaded stream's state as stored, before this command's decisions (what a deleted port held). */
  storedState<S>(streamId: string): S {
    return this.loadedEntry(streamId).stored as S;
  }

  /** The version a loaded stream had when this command read it (0: no events). */
  versionOf(streamId: string): number {
    return this.loadedEntry(streamId).version;
  }

  /**
   * Reads `key` once per command: facts that several decisions of one command
   * share and that only its own decisions could change (the HA scheduler
   * creates three ports on one subnet in one command).
   */
  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let hit = this.reads.get(key) as Promise<T> | undefined;
    if (!hit) this.reads.set(key, (hit = read()));
    return hit;
  }

  /**
   * Records the command's events under the project of the resource it acts on
   * rather than the caller's: an agent's report has no project of its own, yet
   * the router's project must find it in its audit log.
   */
  recordUnder(projectId: string): void {
    this.project = projectId;
  }

  /** Appends in decision order: runs of consecutive events on one stream, each with its expected version. */
  async commit(): Promise<DomainEvent[]> {
    const appends: Array<{ streamId: string; expectedVersion: number; events: DomainEventBody[] }> = [];
    const next = new Map<string, number>();
    for (const { streamId, event } of this.decided) {
      const last = appends[appends.length - 1];
      if (last?.streamId === streamId) {
        last.events.push(event);
      } else {
        appends.push({ streamId, expectedVersion: next.get(streamId) ?? this.loaded.get(streamId)!.version, events: [event] });
      }
      next.set(streamId, (next.get(streamId) ?? this.loaded.get(streamId)!.version) + 1);
    }
    return this.store.append(appends, { ...this.ctx, projectId: this.project }, this.tx);
  }

  private loadedEntry(streamId: string): Loaded<unknown> {
    const entry = this.loaded.get(streamId);
    if (!entry) throw new Error(`stream ${streamId} was not loaded by this command`);
    return entry;
  }

  private async entry<S>(decider: Decider<never, S, never>, streamId: string): Promise<Loaded<S>> {
    let entry = this.loaded.get(streamId) as Loaded<S> | undefined;
    if (!entry) {
      const folded = await this.fold(decider, streamId);
      entry = { ...folded, stored: folded.state };
      this.loaded.set(streamId, entry);
    }
    return entry;
  }

  /** Folds the stream, starting from the cached state when the stream still continues from it. */
  private async fold<S>(decider: Decider<never, S, never>, streamId: string): Promise<{ state: S; version: number }> {
    let base = this.cache.get(streamId, decider);
    let events = base ? await this.store.readStreamAfter(streamId, base, this.tx) : null;
    if (!events) {
      base = undefined;
      events = await this.store.readStream(streamId, this.tx);
    }
    const state = events.reduce((s, e) => decider.evolve(s, e), base ? (base.state as S) : decider.initialState());
    const last = events[events.length - 1];
    if (last) this.cache.set(streamId, { decider, state, version: last.metadata.streamVersion, eventId: last.metadata.eventId });
    return { state, version: last ? last.metadata.streamVersion : (base?.version ?? 0) };
  }
}

/** Conflicts a command may lose side by side with other writers before it runs alone. */
const OPTIMISTIC_ATTEMPTS = 3;

/**
 * The one command path. The API's services, the HA scheduler's decisions and the
 * agents' HA state reports all run their work through it: in one transaction
 * (serializable on PostgreSQL, one writer at a time on SQLite), load → decide →
 * append with the versions decided on. When another writer changed a stream or
 * claimed a unique value first, the work is re-run from fresh state, so it
 * re-decides; after OPTIMISTIC_ATTEMPTS lost, it runs alone (EventStore.exclusive),
 * where on PostgreSQL no other writer can cross it. After `maxAttempts` the
 * command fails with RetriesExhausted (503).
 */
export class CommandRunner {
  /** Folded states shared by this runner's commands (see StreamCache for why that is safe). */
  private readonly streams = new StreamCache();
  /** Commands re-run after a conflict, since start (a hint for operators and tests). */
  retries = 0;
  /** Attempts run alone after losing OPTIMISTIC_ATTEMPTS times. */
  exclusiveRuns = 0;

  constructor(
    readonly store: EventStore,
    private readonly maxAttempts = 8,
  ) {}

  async run<T>(
    ctx: CommandContext,
    work: (uow: UnitOfWork) => Promise<T>,
    opts: { queueOn?: readonly string[] } = {},
  ): Promise<{ result: T; events: DomainEvent[] }> {
    for (let attempt = 1; ; attempt++) {
      try {
        // Optimistic first: writers side by side. A command that keeps losing (on PostgreSQL, hot rows
        // whose readers and writers all cross) runs alone, as every writer once did, so it cannot lose again.
        const alone = attempt > OPTIMISTIC_ATTEMPTS;
        if (alone) this.exclusiveRuns++;
        return await this.store[alone ? 'exclusive' : 'transaction'](async (tx) => {
          const uow = new UnitOfWork(this.store, tx, ctx, this.streams);
          const result = await work(uow);
          const events = await uow.commit();
          return { result, events };
        }, opts);
      } catch (err) {
        if (err instanceof RejectionError || !isConflictError(err)) throw err;
        if (attempt >= this.maxAttempts) throw new RetriesExhausted(attempt);
        this.retries++;
        // Jittered and growing (up to 200 ms), so racing writers (another instance's commands, on
        // PostgreSQL any whose reads crossed) do not collide again in lockstep.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 4 * 2 ** attempt)));
      }
    }
  }
}
