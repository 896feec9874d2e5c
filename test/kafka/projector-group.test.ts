/**
 * Horizontally scaled projectors on PostgreSQL: three instances in one group, one
 * dies mid-stream (its network cut, its open transaction rolled back, it never
 * leaves the group or commits), a fourth joins. The shared read model must equal
 * a single-instance run and the embedded one, with no event applied twice; a
 * rebuild from offset 0 must equal the live model.
 */
import { EventRelay, KafkaProjector, StoreProjector, type Database, type EventStore } from '@cp/store';
import {
  appendEvents,
  brokers,
  CountsProjection,
  cuttableNetwork,
  dropSchema,
  FAST_GROUP,
  openEventStore,
  openReadModel,
  pgConfig,
  skipKafka,
  sqliteConfig,
  uniqueTopic,
  waitFor,
} from './support';

/** Events an instance applies per transaction. */
const CHUNK = 40;
const describeKafka = skipKafka || (process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true') ? describe.skip : describe;
const TOTAL = 1_200;

describeKafka('Kafka projectors in a consumer group over PostgreSQL', () => {
  const opened: Database[] = [];
  const projectors: KafkaProjector[] = [];
  let eventsDb: Database;
  let store: EventStore;

  afterAll(async () => {
    await Promise.all(projectors.map((p) => p.stop().catch(() => undefined)));
    for (const db of opened) await dropSchema(db).catch(() => undefined);
    for (const db of opened) await db.close().catch(() => undefined);
    await eventsDb?.close();
  });

  async function open(config: ReturnType<typeof pgConfig>): Promise<Database> {
    const db = await openReadModel(config);
    opened.push(db);
    return db;
  }

  it('one instance killed mid-stream, another started: same digest as one instance, nothing applied twice; rebuild equals live', async () => {
    ({ db: eventsDb, store } = await openEventStore());
    const topic = uniqueTopic('group');
    const relay = new EventRelay(store, { brokers: brokers(), topic, batchSize: 50 });
    await relay.start();

    const groupConfig = pgConfig('kafka_group');
    const errors: unknown[] = [];
    const applied = new Map<string, number>();
    const network = cuttableNetwork();
    const instance = async (name: string, extra: { kafka?: object } = {}) => {
      const db = await open(groupConfig);
      const p = new KafkaProjector(db, new CountsProjection(db), {
        brokers: brokers(),
        topic,
        groupId: `group-${topic}`,
        clientId: name,
        appliedLog: true,
        chunkSize: CHUNK,
        ...FAST_GROUP,
        ...extra,
        onError: (e) => name !== 'victim' && errors.push(e),
        metrics: { applied: (_p, n) => applied.set(name, (applied.get(name) ?? 0) + n) },
      });
      projectors.push(p);
      await p.start();
      return { db, p };
    };
    const a = await instance('a');
    const victim = await instance('victim', { kafka: { socketFactory: network.socketFactory } });
    await instance('c');
    const singleDb = await open(pgConfig('kafka_single'));
    const single = new KafkaProjector(singleDb, new CountsProjection(singleDb), {
      brokers: brokers(),
      topic,
      groupId: `single-${topic}`,
      ...FAST_GROUP,
    });
    projectors.push(single);
    await single.start();

    // Appends keep coming while instances die and join: half before the kill, half after.
    let head = 0;
    let killed!: () => void;
    const afterKill = new Promise<void>((r) => (killed = r));
    const appending = (async () => {
      for (let n = 0; n < TOTAL; n += 40) {
        if (n === TOTAL / 2) await afterKill;
        head = await appendEvents(store, n, 40);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();

    await waitFor('the victim to apply events', () => (applied.get('victim') ?? 0) > 50, 30_000);
    const victimStopped = victim.p.stop({ abrupt: true }); // roll back what is in flight, write nothing more
    network.cut(); // no LeaveGroup, no offset commit: the group finds out by session timeout
    const victimApplied = applied.get('victim')!;
    const headAtKill = head;
    killed();
    await instance('d');

    await appending;
    await relay.waitForPublished(head, 30_000);
    await relay.stop();
    await a.p.waitUntilCaughtUp(60_000); // group-wide: reads the shared checkpoints
    await single.waitUntilCaughtUp(60_000);
    expect(headAtKill).toBeLessThan(head); // killed mid-stream: appends went on
    // Killed means nothing more after the chunk that was already committing when stop() was called
    // (a commit cannot be taken back; its checkpoint went with it, so it is not applied twice either).
    expect(applied.get('victim')! - victimApplied).toBeLessThanOrEqual(CHUNK);
    expect(applied.get('d') ?? 0).toBeGreaterThan(0);

    const embeddedDb = await openReadModel(sqliteConfig('group-embedded'));
    const embedded = new StoreProjector(store, embeddedDb, new CountsProjection(embeddedDb));
    await embedded.start();
    await embedded.stop();
    const expected = await embedded.projection.digest(embeddedDb);
    await embeddedDb.close();

    expect(await a.p.projection.digest(a.db)).toBe(expected);
    expect(await single.projection.digest(singleDb)).toBe(expected);
    const log = await a.db.get<{ n: string; d: string }>('SELECT COUNT(*) AS n, COUNT(DISTINCT position) AS d FROM applied_log');
    expect([Number(log!.n), Number(log!.d)]).toEqual([head, head]);
    expect(errors).toEqual([]);

    await single.rebuildFromTopic(60_000);
    expect(await single.projection.digest(singleDb)).toBe(expected);
    // The victim was evicted long ago; reconnecting only lets its client wind down.
    network.heal();
    await victimStopped;
  }, 120_000);
});
