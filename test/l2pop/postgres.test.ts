/*
 * The same read model on PostgreSQL (a schema of its own per run, dropped
 * afterwards): the rules hold, deltas compose, and the model's digest equals the
 * one SQLite computes from the same events and a rebuild into SQLite.
 */
import { applyDelta } from '../../apps/l2pop-projector/src/agent/apply-delta';
import * as e from './support/events';
import { L2Harness } from './support/harness';

const MAC = (n: number) => `fa:16:3e:00:04:${n.toString(16).padStart(2, '0')}`;
const vm = (id: string, host: string, n: number, net = 'n1', extra: e.PortSpec = {}) => [
  e.port(id, net, { host, mac: MAC(n), ips: [`192.168.4.${n}`], groups: ['def'], ...extra }),
  e.up(id, net, host),
];
const STEPS = [
  [e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.agent('c3', '10.0.0.3'), e.network('n1'), e.network('v1', 'vlan', 10)],
  e.defaultGroup('def'),
  [...vm('p1', 'c1', 1), ...vm('p2', 'c2', 2, 'n1', { pairs: ['10.8.0.0/16'] }), ...vm('p3', 'c3', 3, 'v1')],
  [e.router('r1'), e.iface('r1', 'hai', 'n1'), e.scheduled('r1', 'c3')],
  [e.agentChanged('c2', '10.0.9.2'), e.bound('p1', 'n1', 'c3', 'c1')],
  [e.up('p1', 'n1', 'c3'), e.down('p2', 'n1', 'c2'), ...vm('p4', 'c1', 4)],
];
const schema = `l2pop_test_${process.pid}_${Date.now()}`;
const skip = process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true';

(skip ? test.skip : test)('PostgreSQL: rules, deltas and digests match SQLite', async () => {
  const pg = await L2Harness.postgres(schema);
  const lite = await L2Harness.sqlite();
  try {
    const before = await pg.snapshot('c1');
    const held = [];
    for (const step of STEPS) {
      for (const host of ['c1', 'c2', 'c3']) held.push(await pg.snapshot(host));
      await pg.append(step);
      await lite.append(step);
      for (const host of ['c1', 'c2', 'c3']) {
        const [a, b] = [await pg.snapshot(host), await lite.snapshot(host)];
        expect(a).toEqual(b);
      }
    }
    expect(applyDelta(before, await pg.changes('c1', before.revision))).toEqual(await pg.snapshot('c1'));
    // Every host from every revision it held, read in one batch (the queries woken watchers share): the same as one by one.
    const batch = await pg.changesMany(
      held.map((s) => ({ host: s.host, since: s.revision })),
      'entries',
    );
    for (const [k, s] of held.entries()) {
      expect(batch[k]).toEqual(await pg.changes(s.host, s.revision, 'entries'));
      expect(applyDelta(s, batch[k])).toEqual(await pg.snapshot(s.host));
    }
    expect((await pg.snapshot('c1')).networks.n1).toEqual({
      network_type: 'vxlan',
      segmentation_id: 1000,
      flood: ['10.0.0.3'],
      fdb: { '10.0.0.3': [[MAC(1), '192.168.4.1']] },
    });
    expect((await pg.snapshot('c2')).networks).toEqual({});
    expect((await pg.snapshot('c3')).ipsets.NIPv4def.members).toEqual([
      '10.8.0.0/16',
      '192.168.4.1',
      '192.168.4.2',
      '192.168.4.3',
      '192.168.4.4',
    ]);
    expect(await pg.digest()).toBe(await lite.digest());
    await pg.expectRebuiltEqualsLive();
    await lite.expectRebuiltEqualsLive();
  } finally {
    await pg.close();
    await lite.close();
  }
});
