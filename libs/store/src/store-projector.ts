import type { Database } from './db';
import type { EventStore } from './event-store';
import { clearCheckpoints, readCheckpoint, writeCheckpoint } from './checkpoints';
import { AfterCommit, type Projection } from './projection';
import { TailLoop } from './tail-loop';

export const ALL_PARTITION = 'all';

/**
 * Runs a projection by tailing the event store (embedded mode). Each batch of
 * events and the checkpoint commit in one transaction; events at or below the
 * checkpoint are skipped, so a crash anywhere resumes without loss or repeats.
 */
export class StoreProjector {
  private position = 0;
  private readonly tail: TailLoop;

  constructor(
    private readonly store: EventStore,
    readonly db: Database,
    readonly projection: Projection,
    private readonly options: {
      batchSize?: number;
      pollMs?: number;
      onError?: (err: Error) => void;
      /** Where the operator's lines go: a rebuild's start and end. */
      say?: (line: string) => void;
    } = {},
  ) {
    this.tail = new TailLoop(
      () => this.loop(),
      () => this.position,
      { onError: options.onError },
    );
  }

  get checkpoint(): number {
    return this.position;
  }

  /** The last batch failure, kept for health checks; cleared by the next successful batch. */
  get lastError(): Error | null {
    return this.tail.lastError;
  }

  async start(): Promise<void> {
    const cp = await readCheckpoint(this.db, this.projection.name, ALL_PARTITION);
    const stale = cp !== null && cp.version !== this.projection.version;
    if (stale) await this.reset();
    else this.position = cp?.position ?? 0;
    const head = this.position === 0 ? await this.store.headPosition() : 0;
    const why = stale ? `it was written by version ${cp.version}, this build writes ${this.projection.version}` : 'it is empty';
    // Other writers (another API instance on PostgreSQL) do not notify us in-process.
    this.tail.listen(this.store, this.options.pollMs);
    await (head > 0 ? this.rebuilding(why, head, () => this.catchUp()) : this.catchUp());
  }

  stop(): Promise<void> {
    return this.tail.stop();
  }

  /** Truncates the read model and replays from position 0. */
  async rebuild(): Promise<void> {
    await this.tail.idle();
    await this.reset();
    await this.rebuilding('asked to', await this.store.headPosition(), () => this.catchUp());
  }

  /** A replay from position 0, said at its start and end: the model is not ready meanwhile. */
  private async rebuilding(why: string, head: number, replay: () => Promise<void>): Promise<void> {
    const started = Date.now();
    this.options.say?.(`${this.projection.name} read model: rebuilding from position 0 to ${head} (${why})`);
    await replay();
    this.options.say?.(`${this.projection.name} read model: rebuilt to position ${this.position} in ${Date.now() - started} ms`);
  }

  /** Resolves once every event up to `position` is applied (read-your-writes for tests and the API). */
  waitFor(position: number): Promise<void> {
    return this.tail.waitFor(position);
  }

  kick(): void {
    this.tail.kick();
  }

  /** Applies everything stored so far; rejects if a batch fails (callers at start-up want to know). */
  catchUp(): Promise<void> {
    return this.tail.catchUp();
  }

  private async reset(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.db.truncate([...this.projection.tableNames], tx);
      await clearCheckpoints(this.db, this.projection.name, tx);
    });
    this.position = 0;
  }

  private async loop(): Promise<void> {
    const handles = new Set<string>(this.projection.handles);
    const batchSize = this.options.batchSize ?? 500;
    // From position 0 (a new or truncated model) the projection may want the history up to
    // the current head in one transaction, flushed once (Projection.replayInOneTransaction).
    const replayUntil = this.position === 0 && this.projection.replayInOneTransaction ? await this.store.headPosition() : 0;
    for (;;) {
      // One event past the batch tells whether more follow.
      let read = await this.store.readAll(this.position, batchSize + 1);
      if (read.length === 0) break;
      const fromScratch = this.position === 0 && replayUntil > 0;
      const after = new AfterCommit({ batched: true, fromScratch });
      let position = this.position;
      let more = false;
      await this.db.transaction(async (tx) => {
        // Re-read inside the transaction: should two runners ever share a read model,
        // the one that lost the race skips what the other already applied.
        const done = (await readCheckpoint(this.db, this.projection.name, ALL_PARTITION, tx))?.position ?? 0;
        for (;;) {
          const events = read.slice(0, batchSize);
          for (const e of events) {
            if (e.metadata.position! > done && handles.has(e.type)) await this.projection.apply(tx, e, after);
          }
          position = events[events.length - 1].metadata.position!;
          more = read.length > batchSize;
          if (!fromScratch || !more || position >= replayUntil || this.tail.stopped) break;
          read = await this.store.readAll(position, batchSize + 1);
        }
        await after.flush();
        await writeCheckpoint(this.db, tx, this.projection.name, ALL_PARTITION, {
          position: Math.max(position, done),
          version: this.projection.version,
        });
      });
      this.position = position;
      after.run();
      this.tail.progressed();
      if (!more || this.tail.stopped) break;
    }
    this.tail.progressed();
  }
}
