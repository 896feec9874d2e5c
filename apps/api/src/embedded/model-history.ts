import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { logPosition, type ModelAt, type ModelHistory } from '@cp/host-feed';
import { snapshotAtOrBefore, type Database, type EventStore } from '@cp/store';
import { snapshotDir, type EmbeddedModel } from './embedded-models';
import { replayCopy, type HistoryJob } from './history-replay';

/** The replay's worker, beside this file in the build. */
const WORKER = join(__dirname, 'history-worker.js');

/**
 * Time travel over an embedded read model: the model as it was at a position
 * is the newest snapshot at or before it (copied), plus the events between
 * them replayed, or the log replayed from 0 (the bulk path) when there is no
 * snapshot old enough, or none near enough to be cheaper than that.
 * `onBuilt` hears how each copy was made (the server logs it). The replay
 * runs on a worker thread, so the server answers everything else meanwhile.
 * The last few copies stay open for the next questions about the same point
 * (a diff asks two, a time slider many); they live in `<data dir>/history/`
 * and are removed when evicted and at start.
 */
export class EmbeddedModelHistory implements ModelHistory {
  private readonly dir: string;
  private readonly cache: LRUCache<number, Promise<Database>>;
  private seq = 0;
  private thread: Worker | null = null;
  private readonly waiting = new Map<number, { resolve(): void; reject(err: Error): void }>();

  /** @param live the live model (its projection's name and version pick the snapshots) */
  constructor(
    private readonly dataDir: string,
    private readonly store: EventStore,
    private readonly model: EmbeddedModel,
    private readonly live: Database,
    private readonly onBuilt?: (built: { model: string; position: number; from: number; ms: number }) => void,
    keep = 4,
  ) {
    this.dir = join(dataDir, 'history', model.name);
    rmSync(this.dir, { recursive: true, force: true });
    this.cache = new LRUCache({ max: keep, dispose: (opened) => void opened.then((db) => db.close()).catch(() => undefined) });
  }

  async at(at: string): Promise<ModelAt> {
    const position = await logPosition(this.store, at);
    let opened = this.cache.get(position);
    if (!opened) {
      opened = this.build(position);
      this.cache.set(position, opened);
      opened.catch(() => this.cache.delete(position));
    }
    return { position, db: await opened };
  }

  close(): void {
    this.cache.clear();
    void this.thread?.terminate();
  }

  private async build(position: number): Promise<Database> {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `${position}-${++this.seq}.sqlite`);
    const projection = this.model.projection(this.live);
    const older = snapshotAtOrBefore(snapshotDir(this.dataDir, this.model), projection.name, projection.version, position);
    // A snapshot too far back costs more to catch up from than the bulk replay from 0 (catchUpCost).
    const snapshot = older && (position - older.position) * this.model.catchUpCost < position ? older : null;
    const removeCopy = () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    };
    const started = performance.now();
    try {
      if (snapshot) await copyFile(snapshot.path, path);
      await this.replay({ dataDir: this.dataDir, model: this.model.name, path, from: snapshot?.position ?? 0, until: position });
    } catch (err) {
      removeCopy();
      throw err;
    }
    this.onBuilt?.({ model: this.model.name, position, from: snapshot?.position ?? 0, ms: Math.round(performance.now() - started) });
    const db = await this.model.openFile(path);
    const close = db.close.bind(db);
    db.close = async () => {
      await close();
      removeCopy();
    };
    return db;
  }

  /** On the history's worker thread (history-worker.ts) where the build has one; in this thread otherwise (the sources run by tests). */
  private async replay(job: HistoryJob): Promise<void> {
    if (existsSync(WORKER)) {
      const id = ++this.seq;
      const worker = this.worker();
      await new Promise<void>((resolve, reject) => {
        this.waiting.set(id, { resolve, reject });
        worker.postMessage({ ...job, id });
      });
      return;
    }
    await replayCopy(this.store, this.model, job);
  }

  /** The worker, started on the first question and kept (unref'd: it never holds the process up). */
  private worker(): Worker {
    if (this.thread) return this.thread;
    const thread = new Worker(WORKER);
    thread.unref();
    thread.on('message', (m: { id: number; error?: string }) => {
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error) waiter?.reject(new Error(`time travel replay failed: ${m.error}`));
      else waiter?.resolve();
    });
    // A dead worker fails what it had and is started again by the next question.
    const fail = (err: Error) => {
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
      this.thread = null;
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`time travel worker exited with ${code}`)));
    this.thread = thread;
    return thread;
  }
}
