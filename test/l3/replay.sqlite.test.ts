import { l3Config } from '../../apps/l3-scheduler/src/config';
import { L3Scheduler } from '../../apps/l3-scheduler/src/scheduler/l3-scheduler';
import { writeCheckpoint } from '@cp/store';
import { sqliteStore, type TestStore } from './support/databases';
import { Driver } from './support/driver';
import { describe as text, truth } from './support/truth';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

/** A history with every kind of decision: pending, failover, revival, deletion, HA off and on, a second project. */
async function richHistory(driver: Driver, scheduler: L3Scheduler): Promise<void> {
  await driver.createRouters(ids('early', 3));
  await scheduler.catchUp();
  for (const h of ['net1', 'net2', 'net3', 'net4']) await driver.agentUp(h);
  await driver.createRouters(ids('r', 270));
  await driver.createRouters(ids('q', 5), 'p2');
  await scheduler.catchUp();
  await driver.agentDead('net1');
  await scheduler.catchUp();
  await driver.deleteRouters(ids('r', 20));
  await driver.setHa('r100', false);
  await driver.agentAlive('net1');
  await driver.agentDead('net3');
  await scheduler.catchUp();
  await driver.setHa('r100', true);
  await driver.createRouters(ids('late', 4));
  await driver.agentDeleted('net4');
  await scheduler.catchUp();
}

describe('L3 scheduler replay (SQLite)', () => {
  let t: TestStore;
  let driver: Driver;

  beforeEach(async () => {
    t = await sqliteStore();
    driver = new Driver(t.store);
  });
  afterEach(() => t.close());

  it('a fresh scheduler over the whole history decides nothing and sees identical assignments', async () => {
    const live = new L3Scheduler({ writeSide: t.ws, config: l3Config(), name: 'live' });
    await live.start();
    await richHistory(driver, live);
    await live.stop();
    const recorded = await truth(t.store);
    expect(recorded.assignments.get('r100')).toMatchObject({ status: 'scheduled' });
    for (const a of recorded.assignments.values()) expect(a.hosts.some((h) => h === 'net3' || h === 'net4')).toBe(false);

    const t0 = Date.now();
    const fresh = new L3Scheduler({ writeSide: t.ws, config: l3Config(), name: 'fresh' });
    await fresh.start();
    await fresh.stop();
    console.log(`replay of ${recorded.events.length} events by a fresh scheduler: ${Date.now() - t0} ms`, fresh.outcomes);
    const replayed = await truth(t.store);
    expect(replayed.events.length).toBe(recorded.events.length);
    expect(text(replayed.assignments)).toBe(text(recorded.assignments));
    expect(fresh.outcomes.appended).toBe(0);
  });

  it('re-processing after a crash between its appends and its checkpoint appends nothing', async () => {
    const live = new L3Scheduler({ writeSide: t.ws, config: l3Config(), name: 'live' });
    await live.start();
    for (const h of ['net1', 'net2', 'net3']) await driver.agentUp(h);
    const from = await driver.createRouters(ids('r', 50));
    await live.catchUp();
    await driver.agentDead('net2');
    await live.catchUp();
    await live.stop();
    const recorded = await truth(t.store);

    // As if the process died after appending its decisions but before saving this checkpoint.
    await t.db.transaction((tx) => writeCheckpoint(t.db, tx, 'live', 'all', { position: from - 1, version: 1 }));
    const again = new L3Scheduler({ writeSide: t.ws, config: l3Config(), name: 'live' });
    await again.start();
    await again.stop();
    expect((await truth(t.store)).events.length).toBe(recorded.events.length);
    expect(again.outcomes.appended).toBe(0);
  });

  it('retries a failed batch from its saved state: every router decided exactly once', async () => {
    const errors: Error[] = [];
    const live = new L3Scheduler({ writeSide: t.ws, config: l3Config(), name: 'live', onError: (e) => errors.push(e) });
    await live.start();
    for (const h of ['net1', 'net2', 'net3']) await driver.agentUp(h);
    const append = t.store.append.bind(t.store);
    let failed = false;
    // The database goes away once, in the middle of a batch (after 20 routers were decided).
    t.store.append = async (appends, ctx, tx) => {
      if (!failed && appends.some((a) => a.streamId === 'router-ha:r020')) {
        failed = true;
        throw new Error('connection lost');
      }
      return append(appends, ctx, tx);
    };
    await driver.createRouters(ids('r', 40));
    // Whichever run hit the failure (the append's own wake-up or this one), the next one recovers.
    await live.catchUp().catch(() => undefined);
    await live.catchUp();
    await live.stop();
    const s = await truth(t.store);
    expect(errors.map((e) => e.message)).toEqual(['connection lost']);
    expect(s.assignments.size).toBe(40);
    for (const id of ids('r', 40)) expect(s.scheduledCount.get(id)).toBe(3);
    expect(new Set([...s.assignments.values()].map((a) => a.vrid)).size).toBe(40);
  });

  it('resumes from its checkpoint after a restart and keeps deciding', async () => {
    const first = new L3Scheduler({ writeSide: t.ws, config: l3Config(), name: 'live' });
    await first.start();
    for (const h of ['net1', 'net2', 'net3', 'net4']) await driver.agentUp(h);
    await driver.createRouters(ids('r', 30));
    await first.catchUp();
    await first.stop();

    await driver.agentDead('net1');
    const second = new L3Scheduler({ writeSide: t.ws, config: l3Config(), name: 'live' });
    await second.start();
    await second.stop();
    const s = await truth(t.store);
    for (const a of s.assignments.values()) expect(a.hosts).not.toContain('net1');
    expect(second.placements.load('agent-net1')).toBe(0);
  });
});
