import { l3Config } from '../../apps/l3-scheduler/src/config';
import { L3Scheduler } from '../../apps/l3-scheduler/src/scheduler/l3-scheduler';
import { postgresStore, sqliteStore, type TestStore } from './support/databases';
import { Driver } from './support/driver';
import { truth } from './support/truth';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `r${String(i).padStart(3, '0')}`);
const pgMissing = process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true';

/**
 * Two scheduler instances react to the same 300 RouterCreated events at once.
 * Each decision is a command that reads the HA network and router-ha streams in
 * its transaction and appends with the versions it read, so they cannot both
 * win: no VRID twice in a network, every router scheduled exactly once.
 */
async function race(t: TestStore, separateConnections: boolean): Promise<Record<string, number>> {
  const driver = new Driver(t.store);
  for (const h of ['net1', 'net2', 'net3', 'net4']) await driver.agentUp(h);
  await driver.createRouters(ids(300));
  const other = separateConnections ? await t.reopen() : t;
  const a = new L3Scheduler({ writeSide: t.ws, config: l3Config(), name: 'a' });
  const b = new L3Scheduler({ writeSide: other.ws, config: l3Config(), name: 'b' });
  const t0 = Date.now();
  await Promise.all([a.start(), b.start()]);
  // Each then reads the other's decisions (and must decide nothing more).
  await Promise.all([a.catchUp(), b.catchUp()]);
  const ms = Date.now() - t0;
  await Promise.all([a.stop(), b.stop()]);

  const s = await truth(t.store);
  expect(s.assignments.size).toBe(300);
  expect(s.nets.size).toBe(2);
  for (const vrids of s.vridsByNetwork.values()) expect(new Set(vrids).size).toBe(vrids.length);
  expect(s.events.filter((e) => e.type === 'VridAllocated')).toHaveLength(300);
  expect(s.events.filter((e) => e.type === 'HaNetworkCreated')).toHaveLength(2);
  for (const id of ids(300)) expect(s.scheduledCount.get(id)).toBe(3);
  for (const a of s.assignments.values()) expect(new Set(a.hosts).size).toBe(3);
  // Each router was decided by exactly one of them; the other found the decision made.
  expect(a.outcomes.appended + b.outcomes.appended).toBe(300);
  return {
    ms,
    retries: t.ws.runner.retries + (other === t ? 0 : other.ws.runner.retries),
    decidedByA: a.outcomes.appended,
    decidedByB: b.outcomes.appended,
  };
}

describe('two L3 schedulers racing', () => {
  it('on one SQLite store: no duplicate VRID, each router scheduled once', async () => {
    const t = await sqliteStore();
    try {
      const r = await race(t, false);
      console.log('SQLite race (shared connection):', r);
    } finally {
      await t.close();
    }
  });

  (pgMissing ? it.skip : it)(
    'on one PostgreSQL store, separate connection pools: no duplicate VRID, each router scheduled once',
    async () => {
      const t = await postgresStore();
      try {
        const r = await race(t, true);
        console.log('PostgreSQL race (two pools):', r);
      } finally {
        await t.close();
      }
    },
  );
});
