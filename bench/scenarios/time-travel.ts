import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, EventTable, openDatabase, replayInto, takeSnapshot } from '@cp/store';
import { embeddedModel, snapshotDir } from '../../apps/api/src/embedded/embedded-models';
import { EmbeddedModelHistory } from '../../apps/api/src/embedded/model-history';
import { l2Feed } from '../../apps/l2pop-projector/src/runtime';
import { removeDir } from '../lib/control-plane';
import { summarise, type Summary } from '../lib/stats';
import { bulkLoad } from '../scenario/bulk-load';
import { DEFAULT_STREAM, generateStream, paramsForEvents, take } from '../scenario/generate';
import { buildLayout } from '../scenario/layout';

export interface TimeTravelOptions {
  events: number;
  /** How far back the points asked about are. */
  back: number;
  samples: number;
  /** The snapshot kept before the points, in events. */
  snapshotLead: number;
}

export interface TimeTravelCase {
  /** Where the copies started: a snapshot `lead` events before the point, or position 0. */
  from: string;
  ms: Summary;
}

export interface TimeTravelFigures {
  events: number;
  back: number;
  /** A host's L2 document at a point `back` events before the head: built from a snapshot, from 0, and asked again (cached). */
  cases: TimeTravelCase[];
}

/**
 * `GET /v1/hosts/{host}/l2?at=` at a point far back in a long log, as the
 * embedded server answers it (EmbeddedModelHistory): distinct points near a
 * snapshot kept before them, distinct points with no snapshot near enough
 * (the bulk replay from 0), and a point asked again (the copy kept open).
 */
export async function runTimeTravel(
  o: TimeTravelOptions,
  log: (s: string) => void,
): Promise<{ figures: TimeTravelFigures; notes: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'cp-bench-tt-'));
  try {
    const layout = buildLayout(paramsForEvents(o.events));
    const events = await bulkLoad(join(dir, 'events.sqlite'), take(generateStream(layout, DEFAULT_STREAM, true), o.events));
    const eventsDb = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite') }, [EventTable]);
    const store = new EventStore(eventsDb);
    const model = embeddedModel('l2');
    const live = await model.open(dir);
    const target = events - o.back;
    log(`time-travel: ${events} events; points ${o.back} back (position ${target}), a snapshot ${o.snapshotLead} before them`);

    // The snapshot a server taking them every CP_SNAPSHOT_EVERY events would hold there.
    const atSnapshot = await model.openFile(join(dir, 'at-snapshot.sqlite'));
    await replayInto(store, atSnapshot, model.projection(atSnapshot), target - o.snapshotLead);
    await atSnapshot.close();
    await takeSnapshot(join(dir, 'at-snapshot.sqlite'), snapshotDir(dir, model), model.projection(live).name);

    const built: Array<{ from: number; ms: number }> = [];
    const history = new EmbeddedModelHistory(dir, store, model, live, (b) => built.push(b), 2);
    // One request: the model at the point, and the document of its busiest host.
    const ask = async (point: number) => {
      const started = performance.now();
      const { db } = await history.at(String(point));
      const busiest = await db.get<{ host: string }>('SELECT host FROM l2_host_revs ORDER BY rev DESC LIMIT 1');
      if (busiest) await l2Feed(db).snapshot(busiest.host);
      return performance.now() - started;
    };
    const cases: TimeTravelCase[] = [];
    const near: number[] = [];
    for (let i = 0; i < o.samples; i++) near.push(await ask(target + i * 97));
    cases.push({ from: `a snapshot ${o.snapshotLead}-${o.snapshotLead + (o.samples - 1) * 97} events back`, ms: summarise(near) });
    log(`  from the snapshot: p50 ${cases[0].ms.p50} ms, p99 ${cases[0].ms.p99} ms (${built.map((b) => b.from).join(', ')})`);
    built.length = 0;
    const far: number[] = [];
    // Points before the snapshot: none is usable, the log is replayed from 0.
    for (let i = 0; i < o.samples; i++) far.push(await ask(target - o.snapshotLead - 1 - i * 97));
    cases.push({ from: 'position 0 (no snapshot before the point)', ms: summarise(far) });
    log(`  from position 0: p50 ${cases[1].ms.p50} ms, p99 ${cases[1].ms.p99} ms`);
    const again: number[] = [];
    for (let i = 0; i < o.samples; i++) again.push(await ask(target - o.snapshotLead - 1 - (o.samples - 1) * 97));
    cases.push({ from: 'the copy kept open (the same point asked again)', ms: summarise(again) });
    log(`  asked again: p50 ${cases[2].ms.p50} ms, p99 ${cases[2].ms.p99} ms`);
    history.close();
    await live.close();
    await eventsDb.close();
    return {
      figures: { events, back: o.back, cases },
      notes: [
        `The L2 model replayed from a snapshot catches up at the incremental path's speed (issue: the L2 catch-up is 1,000-2,000 events/s), so a snapshot helps only when it is within about position / 40 events of the point; further back, the bulk replay from 0 is faster (EmbeddedModel.catchUpCost).`,
      ],
    };
  } finally {
    removeDir(dir);
  }
}
