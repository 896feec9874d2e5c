/**
 * A broker outage in the middle of a run (its own broker: stopping the shared one
 * would break the tests beside this one). Events keep being appended while the
 * broker is down; after it comes back on the same port and data, the relay and
 * the projector resume by themselves: nothing lost, nothing applied twice.
 */
import { EventRelay, KafkaProjector, StoreProjector, type Database, type EventStore } from '@cp/store';
import { type KafkaBroker, startKafka } from '../support/kafka-broker';
import {
  appendEvents,
  CountsProjection,
  FAST_GROUP,
  openEventStore,
  openReadModel,
  skipKafka,
  sqliteConfig,
  uniqueTopic,
  waitFor,
} from './support';

const describeKafka = skipKafka ? describe.skip : describe;

describeKafka('broker stopped and restarted mid-run', () => {
  let broker: KafkaBroker | undefined;
  let eventsDb: Database;
  let store: EventStore;

  afterAll(async () => {
    await broker?.stop();
    await eventsDb?.close();
  });

  it('loses nothing: relay and consumers resume after the broker is back', async () => {
    broker = await startKafka();
    const { port, dataDir } = broker;
    ({ db: eventsDb, store } = await openEventStore());
    const topic = uniqueTopic('broker-restart');
    const relayFailures: unknown[] = [];
    const relay = new EventRelay(store, {
      brokers: broker.brokers,
      topic,
      batchSize: 20,
      backoffMs: { min: 200, max: 1_000 },
      logger: { info: () => undefined, warn: (o) => relayFailures.push(o), error: () => undefined },
    });
    const db = await openReadModel(sqliteConfig('broker-restart'));
    const projection = new CountsProjection(db);
    const projector = new KafkaProjector(db, projection, { brokers: broker.brokers, topic, appliedLog: true, ...FAST_GROUP });
    await relay.start();
    await projector.start();

    let head = await appendEvents(store, 0, 150);
    await relay.waitForPublished(head);
    await waitFor(
      'first events applied',
      async () => Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM applied_log'))!.n) > 0,
    );

    await broker.stop({ keepData: true });
    head = await appendEvents(store, 150, 150); // the store keeps accepting writes
    await waitFor('the relay to notice the outage', () => relayFailures.length > 0, 30_000);
    expect(relay.position).toBeLessThan(head);

    broker = await startKafka({ port, dataDir });
    head = await appendEvents(store, 300, 100);
    await relay.waitForPublished(head, 60_000);
    await projector.waitUntilCaughtUp(60_000);
    await projector.stop();
    await relay.stop();

    const embeddedDb = await openReadModel(sqliteConfig('broker-restart-embedded'));
    const embedded = new StoreProjector(store, embeddedDb, new CountsProjection(embeddedDb));
    await embedded.start();
    await embedded.stop();
    expect(await projection.digest(db)).toBe(await embedded.projection.digest(embeddedDb));
    expect(await db.get('SELECT COUNT(*) AS n, COUNT(DISTINCT position) AS d FROM applied_log')).toEqual({ n: head, d: head });
    await db.close();
    await embeddedDb.close();
  }, 150_000);
});
