/*
 * Two projector instances writing one L2 model on PostgreSQL at the same time,
 * each keeping networks' and sets' state in memory (views/hot-state.ts), as
 * Kafka consumers of one group do. Their transactions overlap, conflict and
 * retry (SERIALIZABLE), and an instance's copies go stale whenever the other
 * writes the same network or set: a tunnel IP change is keyed by host, a router
 * by project, a port by network, so they land on different instances. Whatever
 * the interleaving, every host must see what the oracle says and the model must
 * equal a rebuild.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import type { KafkaMessage } from 'kafkajs';
import { partitionKey, type DomainEvent } from '@cp/events';
import {
  clearCheckpoints,
  encodeEvent,
  EventStore,
  EventTable,
  openDatabase,
  PartitionApplier,
  replayInto,
  type Database,
} from '@cp/store';
import { L2popProjection } from '../../apps/l2pop-projector/src/projection/l2pop.projection';
import { l2Feed, openReadModel } from '../../apps/l2pop-projector/src/runtime';
import { appendBodies, PG_URL, tempDir } from './support/harness';
import { Oracle } from './support/oracle';
import { applyDelta } from '../../apps/l2pop-projector/src/agent/apply-delta';
import type { L2Snapshot } from '../../apps/l2pop-projector/src/contract/l2-documents';
import { HOSTS, runArb, toEvents } from './support/scenario';

const skip = process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true';
const schema = `l2pop_instances_${process.pid}_${Date.now()}`;
const PARTITIONS = 4;

/** A partition of the event's key, as the topic's partitioner would (any stable hash does here). */
function partitionOf(event: DomainEvent): number {
  let h = 0;
  for (const c of partitionKey(event)) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % PARTITIONS;
}

/**
 * Applies one partition's events in small transactions of 1 to 3 messages, as a
 * consumer would; the partition moves to the other instance after each
 * transaction, as rebalances move partitions (here far more often).
 */
async function consume(appliers: PartitionApplier[], partition: number, events: DomainEvent[], from = 0): Promise<void> {
  const messages = events.map((e, offset) => ({ ...encodeEvent(e), offset: String(offset) }) as unknown as KafkaMessage);
  for (let i = from, n = 0; i < messages.length; n++) {
    const size = 1 + ((i * 7 + partition) % 3);
    await appliers[(partition + n) % appliers.length].apply(`t:${partition}`, messages.slice(i, i + size));
    i += size;
    // Let the other partitions' transactions interleave with this one's.
    await new Promise((r) => setImmediate(r));
  }
}

(skip ? describe.skip : describe)('two L2 projector instances on one PostgreSQL model', () => {
  let dir: string;
  let eventsDb: Database;
  const models: Database[] = [];

  beforeAll(async () => {
    dir = tempDir('l2pop-instances-');
    eventsDb = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }, [EventTable]);
    for (let i = 0; i < 2; i++) models.push(await openReadModel({ kind: 'postgres', url: PG_URL, schema }));
  });
  afterAll(async () => {
    await models[0]?.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    for (const db of models) await db.close();
    await eventsDb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('state in memory is never used stale: hosts equal the oracle and the model a rebuild', async () => {
    const [dbA, dbB] = models;
    const a = new L2popProjection(dbA);
    const b = new L2popProjection(dbB);
    const store = new EventStore(eventsDb);
    const scenarios = fc.sample(runArb, { seed: 4242, numRuns: Number(process.env.L2POP_INSTANCES_RUNS ?? 30) });
    for (const actions of scenarios) {
      const canonical = toEvents(actions);
      await eventsDb.run('DELETE FROM events');
      await dbA.transaction(async (tx) => {
        await dbA.truncate([...a.tableNames], tx);
        await clearCheckpoints(dbA, a.name, tx);
      });
      await appendBodies(store, canonical);
      const events = await store.readAll(0, 100_000);
      const byPartition = Array.from({ length: PARTITIONS }, () => [] as DomainEvent[]);
      for (const e of events) byPartition[partitionOf(e)].push(e);
      // All four partitions consumed at once, each by one instance, then by the other;
      // half of each first, when every host takes the document an agent would hold.
      const appliers = [new PartitionApplier(dbA, a), new PartitionApplier(dbB, b)];
      const half = byPartition.map((evs) => evs.slice(0, Math.ceil(evs.length / 2)));
      await Promise.all(half.map((evs, p) => consume(appliers, p, evs)));
      const feed = l2Feed(dbA);
      const held = new Map<string, L2Snapshot>();
      for (const host of HOSTS) held.set(host, await feed.snapshot(host));
      await Promise.all(byPartition.map((evs, p) => consume(appliers, p, evs, half[p].length)));

      const oracle = new Oracle(canonical);
      for (const host of HOSTS) {
        const snapshot = await feed.snapshot(host);
        const { networks, ipsets, ports, security_groups } = snapshot;
        expect({ networks, ipsets, ports, security_groups }).toEqual(oracle.view(host));
        // Each batch moved every host it concerned: an agent holding the half-way document catches up in either format.
        for (const format of ['lists', 'entries'] as const) {
          expect(applyDelta(held.get(host)!, await feed.changes(host, held.get(host)!.revision, format))).toEqual(snapshot);
        }
      }
      const scratch = await openReadModel({ kind: 'sqlite', path: join(dir, `scratch-${scenarios.indexOf(actions)}.sqlite`) });
      const rebuilt = new L2popProjection(scratch);
      await replayInto(store, scratch, rebuilt);
      expect(await a.digest(dbA)).toBe(await rebuilt.digest(scratch));
      await scratch.close();
    }
    // The copies in memory were used (and, with two writers, also found stale).
    expect(a.hot.hits + b.hot.hits).toBeGreaterThan(0);
    expect(a.hot.misses + b.hot.misses).toBeGreaterThan(0);
  }, 120_000);
});
