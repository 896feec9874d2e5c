import type { Database } from './database';
import type { EventStore } from './event-store';
import { clearCheckpoints, readCheckpoint, writeCheckpoint } from './checkpoints';
import { AfterCommit, type Projection } from './projection';

export const ALL_PARTITION = 'all';

/**
 * Runs a projection by tailing the event store (embedded mode). Each batch of
 * events and the checkpoint commit in one transaction; events at or below the
 * checkpoint are skipped, so a crash anywhere resumes without loss or repeats.
 */
export class StoreProjector {
  private position = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private waiters: Array<{ position: number; resolve: () => void }> = [];

  constructor(
    private readonly store: EventStore,
    readonly db: Database,
    readonly projection: Projection,
    private readonly options: { batchSize?: number; pollMs?: number } = {},
  ) {}

  get checkpoint(): number {
    return this.position;
  }

  async start(): Promise<void> {
    const cp = await readCheckpoint(this.db, this.projection.name, ALL_PARTITION);
    if (cp && cp.version !== this.projection.version) await this.reset();
    else this.position = cp?.position ?? 0;
    this.unsubscribe = this.store.onAppended(() => this.kick());
    // Other writers (another API instance on PostgreSQL) do not notify us in-process.
    if (this.options.pollMs) this.timer = setInterval(() => this.kick(), this.options.pollMs);
    await this.catchUp();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Truncates the read model and replays from position 0. */
  async rebuild(): Promise<void> {
    await this.running;
    await this.reset();
    await this.catchUp();
  }

  /** Resolves once every event up to `position` is applied (read-your-writes for tests and the API). */
  waitFor(position: number): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ position, resolve });
      this.kick();
    });
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  async catchUp(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
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
    for (;;) {
      const events = await this.store.readAll(this.position, batchSize);
      if (events.length === 0) break;
      const last = events[events.length - 1].metadata.position!;
      const after = new AfterCommit();
      await this.db.transaction(async (tx) => {
        for (const e of events) if (handles.has(e.type)) await this.projection.apply(tx, e, after);
        await writeCheckpoint(this.db, tx, this.projection.name, ALL_PARTITION, {
          position: last,
          version: this.projection.version,
        });
      });
      this.position = last;
      after.run();
      this.releaseWaiters();
      if (events.length < batchSize || this.stopped) break;
    }
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const ready = this.waiters.filter((w) => w.position <= this.position);
    this.waiters = this.waiters.filter((w) => w.position > this.position);
    for (const w of ready) w.resolve();
  }
}
