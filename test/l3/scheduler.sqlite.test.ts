import { Logger } from '@nestjs/common';
import { l3Config } from '../../apps/l3-scheduler/src/config';
import { L3Scheduler } from '../../apps/l3-scheduler/src/scheduler/l3-scheduler';
import { sqliteStore, type TestStore } from './support/databases';
import { Driver } from './support/driver';
import { truth } from './support/truth';

const ids = (prefix: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => `${prefix}${String(i + from).padStart(4, '0')}`);

describe('L3 scheduler on SQLite', () => {
  let t: TestStore;
  let driver: Driver;
  let scheduler: L3Scheduler;
  const timings: Record<string, number> = {};

  const run = async (label: string) => {
    const t0 = Date.now();
    await scheduler.catchUp();
    timings[label] = (timings[label] ?? 0) + Date.now() - t0;
  };

  beforeEach(async () => {
    t = await sqliteStore();
    driver = new Driver(t.store);
    scheduler = new L3Scheduler({ writeSide: t.ws, config: l3Config() });
    await scheduler.start();
  });
  afterEach(async () => {
    await scheduler.stop();
    await t.close();
  });
  afterAll(() => console.log('L3 scheduler timings (ms):', timings));

  it('puts 300 HA routers of one project on two HA networks: VRIDs 1-255, then 1-45', async () => {
    const said: string[] = [];
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation((m: unknown) => void said.push(String(m)));
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => void said.push(String(m)));
    for (const h of ['net1', 'net2', 'net3', 'net4']) await driver.agentUp(h);
    await driver.createRouters(ids('r', 300));
    await run('300 routers');
    [log, warn].forEach((spy) => spy.mockRestore());
    // The operator is told when an HA network fills up, and when the next one opens.
    expect(said.filter((l) => /^HA network \S+ of project \S+ exhausted: all 255 VRIDs used/.test(l))).toHaveLength(1);
    expect(
      said.filter((l) => /^HA networks of project \S+ exhausted \(255 VRIDs each\): HA network ".*" \(\S+\) opened$/.test(l)),
    ).toHaveLength(1);

    const { assignments, vridsByNetwork, nets, scheduledCount } = await truth(t.store);
    expect(nets.size).toBe(2);
    const byIndex = [...assignments.values()].reduce<Record<number, number[]>>((acc, a) => {
      (acc[a.networkIndex] ??= []).push(a.vrid);
      return acc;
    }, {});
    expect(byIndex[0].sort((a, b) => a - b)).toEqual(Array.from({ length: 255 }, (_, i) => i + 1));
    expect(byIndex[1].sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    for (const vrids of vridsByNetwork.values()) expect(new Set(vrids).size).toBe(vrids.length);
    // Every router on 3 agents, once; load spread evenly over the 4 agents (225 each).
    for (const a of assignments.values()) expect(a.hosts).toHaveLength(3);
    expect([...scheduledCount.values()].every((n) => n === 3)).toBe(true);
    const load: Record<string, number> = {};
    for (const a of assignments.values()) for (const h of a.hosts) load[h] = (load[h] ?? 0) + 1;
    expect(load).toEqual({ net1: 225, net2: 225, net3: 225, net4: 225 });
  });

  it('reuses freed VRIDs: delete 10 routers, create 10', async () => {
    for (const h of ['net1', 'net2', 'net3']) await driver.agentUp(h);
    await driver.createRouters(ids('r', 300));
    await run('300 routers');
    const before = (await truth(t.store)).assignments;
    const gone = ids('r', 10, 100);
    const freed = gone.map((id) => before.get(id)!.vrid).sort((a, b) => a - b);
    await driver.deleteRouters(gone);
    await driver.createRouters(ids('n', 10));
    await run('delete 10 + create 10');

    const after = (await truth(t.store)).assignments;
    for (const id of gone) expect(after.has(id)).toBe(false);
    const reused = ids('n', 10).map((id) => after.get(id)!);
    expect(reused.every((a) => a.networkIndex === 0)).toBe(true);
    expect(reused.map((a) => a.vrid).sort((a, b) => a - b)).toEqual(freed);
  });
});
