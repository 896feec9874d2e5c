import 'reflect-metadata';
import { parentPort } from 'node:worker_threads';
import { EventStore, EventTable, openDatabase } from '@cp/store';
import { embeddedModel, eventsPath } from './embedded-models';
import { replayCopy, type HistoryJob } from './history-replay';

/**
 * Time travel's replay on a worker thread (model-history.ts): seconds of
 * replay over a long log would otherwise hold the server's event loop, and
 * with it every API call and agent stream. Each job opens its own connection
 * to the event store (read beside the server's, WAL) and writes its copy alone.
 */
async function run(job: HistoryJob): Promise<void> {
  const eventsDb = await openDatabase({ kind: 'sqlite', path: eventsPath(job.dataDir) }, [EventTable]);
  try {
    await replayCopy(new EventStore(eventsDb), embeddedModel(job.model), job);
  } finally {
    await eventsDb.close();
  }
}

// Every job is answered with its id; jobs may overlap (each has its own copy and connections).
parentPort!.on('message', (job: HistoryJob & { id: number }) => {
  run(job).then(
    () => parentPort!.postMessage({ id: job.id }),
    (err: Error) => parentPort!.postMessage({ id: job.id, error: err.message }),
  );
});
