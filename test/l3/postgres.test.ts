import { l3Config } from '../../apps/l3-scheduler/src/config';
import { L3Runtime } from '../../apps/l3-scheduler/src/runtime';
import { L3Scheduler } from '../../apps/l3-scheduler/src/scheduler/l3-scheduler';
import { reportHaState } from '../../apps/l3-scheduler/src/reports/report-ha-state';
import { postgresStore, type TestStore } from './support/databases';
import { Driver } from './support/driver';
import { describe as text, truth } from './support/truth';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
const pgMissing = process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true';

/** The whole L3 side on PostgreSQL (a schema of its own, dropped afterwards): scheduler, read model, replay. */
(pgMissing ? describe.skip : describe)('L3 scheduler and read model on PostgreSQL', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await postgresStore();
  });
  afterAll(() => t?.close());

  it('schedules 300 routers, fails over, reports split-brain; replay and rebuild change nothing', async () => {
    const driver = new Driver(t.store);
    const runtime = new L3Runtime({ db: t.db, writeSide: t.ws, scheduler: {} });
    await runtime.start();
    for (const h of ['net1', 'net2', 'net3', 'net4']) await driver.agentUp(h);
    const t0 = Date.now();
    await driver.createRouters(ids('r', 300));
    await runtime.settle();
    const ms = Date.now() - t0;
    await driver.agentDead('net4');
    await runtime.settle();

    const s = await truth(t.store);
    expect(s.nets.size).toBe(2);
    const vrids = (index: number) =>
      [...s.assignments.values()]
        .filter((a) => a.networkIndex === index)
        .map((a) => a.vrid)
        .sort((a, b) => a - b);
    expect(vrids(0)).toEqual(Array.from({ length: 255 }, (_, i) => i + 1));
    expect(vrids(1)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    for (const a of s.assignments.values()) expect(a.hosts).toEqual(['net1', 'net2', 'net3']);

    const now = new Date().toISOString();
    await reportHaState(t.ws.runner, { host: 'net1', routerId: 'r000', state: 'active' }, { actor: 'a', requestId: 'r', now });
    await reportHaState(t.ws.runner, { host: 'net3', routerId: 'r000', state: 'active' }, { actor: 'a', requestId: 'r', now });
    await runtime.settle();
    expect((await runtime.feed.snapshot('net2')).routers.r000).toMatchObject({ split_brain: true, active_host: 'net1', vrid: 1 });

    const live = await runtime.projection.digest(t.db);
    await runtime.projector!.rebuild();
    expect(await runtime.projection.digest(t.db)).toBe(live);
    await runtime.stop();

    // The two reports, and the split-brain alarm the second raised.
    const before = s.events.length + 3;
    const fresh = new L3Scheduler({ writeSide: t.ws, stateDb: t.db, config: l3Config(), name: 'fresh' });
    await fresh.start();
    await fresh.stop();
    const replayed = await truth(t.store);
    expect(replayed.events.length).toBe(before);
    expect(text(replayed.assignments)).toBe(text(s.assignments));
    console.log(`PostgreSQL: 300 routers scheduled in ${ms} ms; replay by a fresh scheduler:`, fresh.outcomes);
  });
});
