import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { logPosition, type ModelAt, type ModelHistory } from '@cp/host-feed';
import { replayInto, replayRange, snapshotAtOrBefore, type Database, type EventStore } from '@cp/store';
import { snapshotDir, type EmbeddedModel } from './embedded-models';

/**
 * Time travel over an embedded read model: the model as it was at a position
 * is the newest snapshot at or before it (copied), plus the events between
 * them replayed, or the log replayed from 0 (the bulk path) when there is no
 * snapshot old enough, or none near enough to be cheaper than that.
 * `onBuilt` hears how each copy was made (the server logs it).
 * The last few copies stay open for the next questions about the same point
 * (a diff asks two, a time slider many); they live in `<data dir>/history/`
 * and are removed when evicted and at start.
 */
export class EmbeddedModelHistory implements ModelHistory {
  private readonly dir: string;
  private readonly cache: LRUCache<number, Promise<Database>>;
  private seq = 0;

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
  }

  private async build(position: number): Promise<Database> {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `${position}-${++this.seq}.sqlite`);
    const projection = this.model.projection(this.live);
    const older = snapshotAtOrBefore(snapshotDir(this.dataDir, this.model), projection.name, projection.version, position);
    // A snapshot too far back costs more to catch up from than the bulk replay from 0 (catchUpCost).
    const snapshot = older && (position - older.position) * this.model.catchUpCost < position ? older : null;
    if (snapshot) copyFileSync(snapshot.path, path);
    const db = await this.model.openFile(path);
    const removeOnClose = db.close.bind(db);
    db.close = async () => {
      await removeOnClose();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    };
    try {
      const started = performance.now();
      const replayed = this.model.projection(db);
      if (snapshot) await replayRange(this.store, db, replayed, snapshot.position, position);
      else await replayInto(this.store, db, replayed, position);
      this.onBuilt?.({ model: this.model.name, position, from: snapshot?.position ?? 0, ms: Math.round(performance.now() - started) });
      return db;
    } catch (err) {
      await db.close();
      throw err;
    }
  }
}
