import { isConflictError } from './db';
import type { EventStore } from './event-store';

/**
 * The driving loop of everything that tails the event store (StoreProjector, the
 * L3 scheduler): one drain runs at a time and runs again if woken meanwhile; a
 * failed drain is retried shortly instead of crashing the process; waiters are
 * released as the owner's position advances.
 */
export class TailLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private waiters: Array<{ position: number; resolve: () => void }> = [];
  /** The last drain failure, kept for health checks; cleared by the next batch that commits. */
  lastError: Error | null = null;

  constructor(
    private readonly drain: () => Promise<void>,
    private readonly position: () => number,
    private readonly hooks: { onError?: (err: Error) => void; onFailure?: (err: Error) => void } = {},
  ) {}

  get stopped(): boolean {
    return this.stopping;
  }

  /** Wakes on every local append, and on a timer for writers in other processes. */
  listen(store: EventStore, pollMs?: number): void {
    this.unsubscribe = store.onAppended(() => this.kick());
    if (pollMs) this.timer = setInterval(() => this.kick(), pollMs);
  }

  kick(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => {
        // A failed batch rolled back whole; try again shortly.
        this.lastError = err instanceof Error ? err : new Error(String(err));
        this.hooks.onFailure?.(this.lastError);
        if (!isConflictError(err)) this.hooks.onError?.(this.lastError);
        this.retryTimer = setTimeout(() => this.kick(), isConflictError(err) ? 10 : 1000);
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Drains everything stored so far; rejects if a batch failed (callers at start-up want to know). */
  async catchUp(): Promise<void> {
    this.lastError = null;
    this.kick();
    await this.idle();
    // drain() records a failure while we wait; TypeScript would still narrow lastError to the null set above.
    const failed = this.lastError as Error | null;
    if (failed) throw failed;
  }

  /** Resolves once the owner's position reaches `position`. */
  waitFor(position: number): Promise<void> {
    if (this.position() >= position) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ position, resolve });
      this.kick();
    });
  }

  /** The owner committed a batch: clear the error and release whoever waited for it. */
  progressed(): void {
    this.lastError = null;
    const at = this.position();
    const ready = this.waiters.filter((w) => w.position <= at);
    this.waiters = this.waiters.filter((w) => w.position > at);
    for (const w of ready) w.resolve();
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.idle();
  }
}
