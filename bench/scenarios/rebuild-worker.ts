import 'reflect-metadata';
import { L2popProjection } from '../../apps/l2pop-projector/src/projection/l2pop.projection';
import { L3Projection } from '../../apps/l3-scheduler/src/read-model/l3.projection';
import {
  ALL_PARTITION,
  CheckpointTable,
  type Database,
  EventStore,
  EventTable,
  readCheckpoint,
  StoreProjector,
  type Projection,
  openDatabase,
} from '@cp/store';
import { Instrument } from '../lib/instrument';
import { installSqliteStats, resetSqliteStats, sqliteStats } from '../lib/sqlite-stats';

/**
 * One run of a projector over an event store, in its own process so that its
 * RSS is the projector's alone and `--cpu-prof` profiles only it: a full
 * rebuild into an empty model, or a catch-up from the model's checkpoint.
 * argv: <events.sqlite> <l2|l3> <model.sqlite> <cap seconds> [batch size, 500]. Prints one JSON line.
 */
async function main(): Promise<void> {
  const [eventsPath, kind, modelPath, cap, batch] = process.argv.slice(2);
  installSqliteStats();
  const eventsDb = await openDatabase({ kind: 'sqlite', path: eventsPath }, [EventTable]);
  const store = new EventStore(eventsDb);
  const make = (db: Database): Projection => (kind === 'l2' ? new L2popProjection(db) : new L3Projection(db));
  const tables = make(null as unknown as Database).tables;
  const db = await openDatabase({ kind: 'sqlite', path: modelPath }, [...tables, CheckpointTable]);
  const instrument = new Instrument();
  instrument.countQueries(db);
  const head = await store.headPosition();
  const from = (await readCheckpoint(db, make(db).name, ALL_PARTITION))?.position ?? 0;
  const types = [...make(db).handles];
  const handled = await eventsDb.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM events WHERE position > ? AND type IN (${types.map(() => '?').join(', ')})`,
    [from, ...types],
  );

  resetSqliteStats(); // opening may migrate an older store's schema: not part of the rebuild
  // A cap keeps a slow projection from holding the whole run: stop() ends it after the current batch.
  // Checked per event, not with a timer: with better-sqlite3 every query settles as a microtask,
  // so the catch-up loop never yields to the timer queue until it is done.
  const start = process.hrtime.bigint();
  const capNs = BigInt(Math.round(Number(cap) * 1e9));
  let projector: StoreProjector | null = null;
  const projection = instrument.wrap(make(db), () => {
    if (process.hrtime.bigint() - start > capNs) void projector?.stop();
  });
  // The projector as embedded mode runs it: batches of 500 events (5,000 in `controlplane rebuild`), each committed with its checkpoint.
  projector = new StoreProjector(store, db, projection, { batchSize: Number(batch ?? 500) });
  await projector.start();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await projector.stop();
  const position = projector.checkpoint;
  // A capped run is extrapolated per event type (the stream's mix changes along it: setup first, ports
  // later), scaled by the share of wall time spent outside apply (reads, parsing, commits).
  let fullRebuildSeconds = seconds;
  if (position < head) {
    const rows = await eventsDb.all<{ type: string; n: number }>(
      `SELECT type, COUNT(*) AS n FROM events WHERE position > ? AND type IN (${types.map(() => '?').join(', ')}) GROUP BY type`,
      [position, ...types],
    );
    const remaining = new Map(rows.map((r) => [r.type, Number(r.n)]));
    fullRebuildSeconds = seconds + (seconds / Math.max(1e-9, instrument.applySeconds)) * instrument.estimateSeconds(remaining);
  }
  const out = {
    kind,
    head,
    handledEvents: Number(handled?.n ?? 0),
    from,
    position,
    complete: position >= head,
    seconds: Math.round(seconds * 1000) / 1000,
    eventsPerSecond: Math.round((position - from) / seconds),
    // Outside apply: reading and parsing events, per-batch derivation (flush), commits.
    applySeconds: Math.round(instrument.applySeconds * 1000) / 1000,
    fullRebuildSeconds: Math.round(fullRebuildSeconds * 1000) / 1000,
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    queriesPerEvent: Math.round((instrument.totalQueries / Math.max(1, position)) * 10) / 10,
    costliest: instrument.costs(),
    sqlite: sqliteStats(8),
    // Rows per table at the end: how much the model materialises.
    rows: Object.fromEntries(
      await Promise.all(
        make(db).tableNames.map(async (t): Promise<[string, number]> => [
          t,
          Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n ?? 0),
        ]),
      ),
    ),
  };
  await db.close();
  await eventsDb.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
