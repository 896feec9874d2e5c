/**
 * Where a Kafka projector resumes is decided by its read model's checkpoints, not by
 * the consumer group's committed offsets (those are advisory): a group rewound to 0
 * re-applies nothing, a group ahead of an emptied read model still replays it all,
 * and a projection version bump rebuilds on start.
 */
import { Kafka, logLevel } from 'kafkajs';
import { EventRelay, KafkaProjector, StoreProjector, type Database, type EventStore } from '@cp/store';
import {
  appendEvents,
  brokers,
  CountsProjection,
  FAST_GROUP,
  openEventStore,
  openReadModel,
  skipKafka,
  sqliteConfig,
  uniqueTopic,
} from './support';

const describeKafka = skipKafka ? describe.skip : describe;

class CountsV2 extends CountsProjection {
  override readonly version = 2;
}

describeKafka('Kafka projector positioning (real broker)', () => {
  let eventsDb: Database;
  let store: EventStore;
  let db: Database;

  beforeAll(async () => {
    ({ db: eventsDb, store } = await openEventStore());
    db = await openReadModel(sqliteConfig('positioning'));
  });
  afterAll(async () => {
    await db.close();
    await eventsDb.close();
  });

  it('ignores the group offsets in both directions and rebuilds on a version bump', async () => {
    const topic = uniqueTopic('positioning');
    const groupId = `g-${topic}`;
    const relay = new EventRelay(store, { brokers: brokers(), topic });
    await relay.start();
    const errors: unknown[] = [];
    const run = async (projection = new CountsProjection(db)): Promise<void> => {
      const p = new KafkaProjector(db, projection, {
        brokers: brokers(),
        topic,
        groupId,
        appliedLog: true,
        onError: (e) => errors.push(e),
        ...FAST_GROUP,
      });
      await p.start();
      await p.waitUntilCaughtUp(30_000);
      await p.stop();
    };
    const kafka = new Kafka({ clientId: 'positioning-admin', brokers: [brokers()], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const setGroupOffsets = async (to: 'low' | 'high') => {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: offsets.map((o) => ({ partition: o.partition, offset: to === 'low' ? '0' : o.high })),
      });
    };
    const appliedLog = () => db.get<{ n: number; d: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT position) AS d FROM applied_log');

    let head = await appendEvents(store, 0, 200);
    await relay.waitForPublished(head);
    await run();

    // Rewound group: every message is delivered again; none may be applied again.
    await setGroupOffsets('low');
    head = await appendEvents(store, 200, 40);
    await relay.waitForPublished(head);
    await run();
    expect(await appliedLog()).toEqual({ n: head, d: head });

    // A read model emptied behind the group's back (e.g. restored from an empty backup)
    // while the group sits at the end: it must still be replayed from offset 0.
    await db.transaction(async (tx) => {
      for (const t of ['kafka_test_counts', 'checkpoints', 'applied_log']) await db.run(`DELETE FROM ${t}`, [], tx);
    });
    await setGroupOffsets('high');
    await run();
    expect(await appliedLog()).toEqual({ n: head, d: head });

    const embeddedDb = await openReadModel(sqliteConfig('positioning-embedded'));
    const embedded = new StoreProjector(store, embeddedDb, new CountsProjection(embeddedDb));
    await embedded.start();
    await embedded.stop();
    const expected = await embedded.projection.digest(embeddedDb);
    await embeddedDb.close();
    expect(await new CountsProjection(db).digest(db)).toBe(expected);

    // A new projection version truncates and replays on start.
    await run(new CountsV2(db));
    expect(await new CountsProjection(db).digest(db)).toBe(expected);
    expect(await db.all('SELECT DISTINCT version FROM checkpoints')).toEqual([{ version: 2 }]);
    expect(errors).toEqual([]);
    await admin.disconnect();
    await relay.stop();
  }, 90_000);
});
