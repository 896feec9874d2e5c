import type { LoggerService } from '@nestjs/common';
import { ALL_PARTITION, listSnapshots, readCheckpoint, takeSnapshot, type Database } from '@cp/store';
import { snapshotDir, type EmbeddedModel } from './embedded-models';

/**
 * Embedded mode snapshots each read model once its projector has applied
 * `every` events past the last snapshot, so that a rebuild, or a model file
 * lost, replays at most about that many events instead of the whole log; the
 * newest `keep` stay, for time travel near older points. The copy is taken on
 * a worker thread while the projector writes on.
 */
export function scheduleSnapshots(
  dataDir: string,
  models: Array<{ model: EmbeddedModel; db: Database }>,
  every: number,
  keep: number,
  logger?: LoggerService,
  checkMs = 10_000,
): { stop(): Promise<void> } {
  if (every <= 0) return { stop: () => Promise.resolve() };
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const round = async () => {
    for (const { model, db } of models) {
      if (stopped) return;
      const projection = model.projection(db);
      const at = (await readCheckpoint(db, projection.name, ALL_PARTITION))?.position ?? 0;
      const last = listSnapshots(snapshotDir(dataDir, model))[0]?.position ?? 0;
      if (at - last < every) continue;
      const started = Date.now();
      const taken = await takeSnapshot(model.path(dataDir), snapshotDir(dataDir, model), projection.name, keep);
      if (taken)
        logger?.log(`snapshot of the ${model.name} read model at position ${taken.position} in ${Date.now() - started} ms`, 'snapshots');
    }
  };
  const timer = setInterval(() => {
    running = running.then(round).catch((err: Error) => {
      logger?.warn(`snapshot failed: ${err.message}`, 'snapshots');
    });
  }, checkMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
