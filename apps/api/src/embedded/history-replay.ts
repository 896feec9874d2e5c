import { replayInto, replayRange, type EventStore } from '@cp/store';
import type { EmbeddedModel, ModelName } from './embedded-models';

/** What the server asks of a history worker: bring the copy at `path` (a snapshot's, or empty) from `from` to `until`. */
export interface HistoryJob {
  dataDir: string;
  model: ModelName;
  path: string;
  from: number;
  until: number;
}

/** One time-travel copy brought to its point: the range after its snapshot, or the bulk replay from 0. */
export async function replayCopy(store: EventStore, model: EmbeddedModel, job: HistoryJob): Promise<void> {
  const db = await model.openFile(job.path);
  try {
    const projection = model.projection(db);
    if (job.from > 0) await replayRange(store, db, projection, job.from, job.until);
    else await replayInto(store, db, projection, job.until);
  } finally {
    await db.close();
  }
}
