/*
 * Property test (fast-check): random command sequences, appended in a random
 * interleaving that keeps per-partition-key order, projected by a projector that
 * crashes once mid-way and resumes from its checkpoint, its batches applied by
 * either of two projection instances sharing the model, each with its own state
 * in memory (as partitions move between projector instances). Then, for every host:
 *  - the snapshot equals an independent naive oracle (design.md §6.7);
 *  - the live model's digest equals one rebuilt from the events in their
 *    original order (6.3, 6.5), and the crash lost or repeated nothing (6.4).
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { partitionKey, type DomainEvent, type DomainEventBody } from '@cp/events';
import {
  AfterCommit,
  clearCheckpoints,
  type Database,
  EventStore,
  EventTable,
  StoreProjector,
  type Projection,
  openDatabase,
} from '@cp/store';
import { L2popProjection } from '../../apps/l2pop-projector/src/projection/l2pop.projection';
import { l2Feed } from '../../apps/l2pop-projector/src';
import { applyDelta } from '../../apps/l2pop-projector/src/agent/apply-delta';
import type { L2Snapshot } from '../../apps/l2pop-projector/src/contract/l2-documents';
import { openReadModel } from '../../apps/l2pop-projector/src/runtime';
import { appendBodies, tempDir } from './support/harness';
import { Oracle } from './support/oracle';
import { HOSTS, runArb, toEvents } from './support/scenario';

/** Merges per-key queues in an order drawn from `choices`, keeping each key's order. */
function interleave(bodies: DomainEventBody[], choices: number[]): DomainEventBody[] {
  const queues = new Map<string, DomainEventBody[]>();
  for (const b of bodies) {
    const key = partitionKey(b as DomainEvent);
    queues.set(key, [...(queues.get(key) ?? []), b]);
  }
  const out: DomainEventBody[] = [];
  let i = 0;
  while (queues.size > 0) {
    const keys = [...queues.keys()];
    const key = keys[(choices[i++ % Math.max(choices.length, 1)] ?? 0) % keys.length];
    const q = queues.get(key)!;
    out.push(q.shift()!);
    if (q.length === 0) queues.delete(key);
  }
  return out;
}

/** `real` with another `apply`, the rest passed through. */
function withApply(real: Projection, apply: Projection['apply']): Projection {
  const { name, version, tables, tableNames, handles } = real;
  return { name, version, tables, tableNames, handles, digest: (db) => real.digest(db), apply };
}

/** The projection, failing once at its `at`-th event: the batch's transaction rolls back. */
function crashingOnce(real: Projection, at: number): Projection {
  let n = 0;
  return withApply(real, async (tx, event, after) => {
    if (n++ === at) throw new Error('crash');
    await real.apply(tx, event, after);
  });
}

/**
 * Two instances writing one model: each batch goes to the one `picks` names. An
 * instance's state in memory goes stale whenever the other writes the same
 * network or set, and must then be read again (views/hot-state.ts).
 */
function twoInstances(a: Projection, b: Projection, picks: number[]): Projection {
  const chosen = new WeakMap<AfterCommit, Projection>();
  let n = 0;
  return withApply(a, (tx, event, after) => {
    let p = chosen.get(after);
    if (!p) chosen.set(after, (p = (picks[n++ % Math.max(picks.length, 1)] ?? 0) % 2 === 0 ? a : b));
    return p.apply(tx, event, after);
  });
}

let dir: string;
let eventsDb: Database;
let live: Database;
let scratch: Database;
beforeAll(async () => {
  dir = tempDir('l2pop-prop-');
  eventsDb = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }, [EventTable]);
  live = await openReadModel({ kind: 'sqlite', path: join(dir, 'live.sqlite'), synchronous: 'NORMAL' });
  scratch = await openReadModel({ kind: 'sqlite', path: join(dir, 'scratch.sqlite'), synchronous: 'NORMAL' });
});
afterAll(async () => {
  for (const db of [eventsDb, live, scratch]) await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function reset(db: Database, projection: Projection): Promise<void> {
  await db.transaction(async (tx) => {
    await db.truncate([...projection.tableNames], tx);
    await clearCheckpoints(db, projection.name, tx);
  });
}

test('every host equals the oracle, under any partition interleaving and a crash, and live == rebuilt', async () => {
  const store = new EventStore(eventsDb);
  const projection = new L2popProjection(live);
  const other = new L2popProjection(live);
  const queries = l2Feed(live);
  await fc.assert(
    fc.asyncProperty(
      runArb,
      fc.array(fc.nat(), { maxLength: 64 }),
      fc.nat(60),
      fc.integer({ min: 1, max: 40 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 16 }),
      async (actions, choices, crashAt, batchSize, picks) => {
        const instances = twoInstances(projection, other, picks);
        const canonical = toEvents(actions);
        const delivered = interleave(canonical, choices);
        await eventsDb.run('DELETE FROM events');
        await reset(live, projection);
        await appendBodies(store, delivered);

        const first = new StoreProjector(store, live, crashingOnce(instances, crashAt), { batchSize });
        await first.start().catch(() => undefined);
        await first.stop();
        // Where the crash left it: exactly the events up to its checkpoint, in delivery order.
        const applied = await eventsDb.get<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE position <= ?', [first.checkpoint]);
        const prefix = new Oracle(delivered.slice(0, Number(applied!.n)));
        const atCrash = new Map<string, L2Snapshot>();
        for (const host of HOSTS) {
          const snapshot = await queries.snapshot(host);
          const { networks, ipsets, ports, security_groups } = snapshot;
          expect({ networks, ipsets, ports, security_groups }).toEqual(prefix.view(host));
          atCrash.set(host, snapshot);
        }
        const resumed = new StoreProjector(store, live, instances, { batchSize });
        await resumed.start();
        await resumed.stop();

        const oracle = new Oracle(canonical);
        for (const host of HOSTS) {
          const snapshot = await queries.snapshot(host);
          const { networks, ipsets, ports, security_groups } = snapshot;
          expect({ networks, ipsets, ports, security_groups }).toEqual(oracle.view(host));
          // An agent that held the document at the crash catches up with either delta format.
          for (const format of ['lists', 'entries']) {
            expect(applyDelta(atCrash.get(host)!, await queries.changes(host, atCrash.get(host)!.revision, format))).toEqual(snapshot);
          }
        }
        // The same catch-up for every host in one batch, as the watchers one commit wakes are served.
        const batch = await queries.changesMany(
          HOSTS.map((host) => ({ host, since: atCrash.get(host)!.revision })),
          'entries',
        );
        for (const [k, host] of HOSTS.entries()) expect(applyDelta(atCrash.get(host)!, batch[k])).toEqual(await queries.snapshot(host));

        // Rebuilt in the original order, straight from the bodies, into a scratch model.
        const rebuilt = new L2popProjection(scratch);
        await reset(scratch, rebuilt);
        await scratch.transaction(async (tx) => {
          let position = 0;
          for (const body of canonical) {
            const metadata = { position: ++position } as DomainEvent['metadata'];
            if ((rebuilt.handles as readonly string[]).includes(body.type)) {
              await rebuilt.apply(tx, { ...body, metadata }, new AfterCommit());
            }
          }
        });
        expect(await rebuilt.digest(scratch)).toBe(await projection.digest(live));
      },
    ),
    { numRuns: Number(process.env.L2POP_PROPERTY_RUNS ?? 100) },
  );
});
