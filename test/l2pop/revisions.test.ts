/*
 * Per-host revisions: since/resync semantics, snapshot(r0) + deltas == snapshot(r),
 * compaction, idempotent redelivery and the fan-out of notifications.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { StoreProjector, type Projection } from '@cp/store';
import { applyDelta } from '../../apps/l2pop-projector/src/agent/apply-delta';
import type { L2Snapshot } from '../../apps/l2pop-projector/src/contract/l2-documents';
import { replayInto } from '@cp/store';
import { L2popProjection } from '../../apps/l2pop-projector/src/projection/l2pop.projection';
import { L2popRuntime, openReadModel } from '../../apps/l2pop-projector/src/runtime';
import * as e from './support/events';
import { L2Harness, tempDir } from './support/harness';

const MAC = (n: number) => `fa:16:3e:00:01:${n.toString(16).padStart(2, '0')}`;
const vm = (id: string, host: string, n: number, net = 'n1', groups: string[] = []) => [
  e.port(id, net, { host, mac: MAC(n), ips: [`192.168.1.${n}`], groups }),
  e.up(id, net, host),
];
const HOSTS = ['c1', 'c2', 'c3'];

/** A scenario touching every kind of row: joins, leaves, tunnel moves, ipsets, HA routers. */
const SCENARIO = [
  [e.network('n1'), e.network('n2', 'geneve', 7), ...e.defaultGroup('def')],
  [...vm('p1', 'c1', 1, 'n1', ['def']), ...vm('p2', 'c2', 2, 'n1', ['def'])],
  [...vm('p3', 'c3', 3, 'n2', ['def']), ...vm('p4', 'c1', 4, 'n2')],
  [e.agentChanged('c2', '10.9.0.2')],
  [e.down('p1', 'n1', 'c1')],
  [e.bound('p2', 'n1', 'c3', 'c2'), e.up('p2', 'n1', 'c3')],
  [e.router('r1'), e.iface('r1', 'ha1', 'n1'), e.scheduled('r1', 'c2')],
  [e.portDeleted('p3', 'n2', 'c3'), e.portUpdated('p4', 'n2', { securityGroups: ['def'] })],
  [e.agentDeleted('c1'), e.networkDeleted('n2', 'geneve', 7)],
];

let h: L2Harness;
afterEach(async () => {
  await h.expectRebuiltEqualsLive();
  await h.close();
});

test.each(['lists', 'entries'] as const)(
  'snapshot(r0) + every delta up to r == snapshot(r), from any starting point (%s)',
  async (format) => {
    h = await L2Harness.sqlite();
    await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.agent('c3', '10.0.0.3'));
    const starts: L2Snapshot[] = [];
    const chained = new Map<string, L2Snapshot>();
    for (const host of HOSTS) chained.set(host, await h.snapshot(host));
    for (const step of SCENARIO) {
      for (const host of HOSTS) starts.push(await h.snapshot(host));
      await h.append(step);
      for (const host of HOSTS) {
        const now = await h.snapshot(host);
        // Step by step, as a watching agent does...
        const local = applyDelta(chained.get(host)!, await h.changes(host, chained.get(host)!.revision, format));
        expect(local).toEqual(now);
        chained.set(host, local);
      }
      // ...and in one go from every earlier revision, as an agent back from a restart does.
      const oneByOne = [];
      for (const r0 of starts) {
        const doc = await h.changes(r0.host, r0.revision, format);
        expect(doc.resync).toBe(false);
        expect(applyDelta(r0, doc)).toEqual(await h.snapshot(r0.host));
        oneByOne.push(doc);
      }
      // ...and all of them in one batch (each host several times, from different revisions), as woken watchers are served.
      expect(
        await h.changesMany(
          starts.map((r0) => ({ host: r0.host, since: r0.revision })),
          format,
        ),
      ).toEqual(oneByOne);
    }
  },
);

test('since semantics: empty delta when current, resync when foreign, future, garbage or after a rebuild', async () => {
  h = await L2Harness.sqlite();
  await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), ...SCENARIO.slice(0, 2).flat());
  const snap = await h.snapshot('c1');
  expect(snap.revision).toMatch(/^1-\d+$/);
  expect(await h.changes('c1', snap.revision)).toEqual({
    host: 'c1',
    revision: snap.revision,
    since: snap.revision,
    resync: false,
    networks: {},
    ipsets: {},
  });
  for (const since of ['2-1', '1-999', 'garbage', '']) {
    expect(await h.changes('c1', since)).toEqual({ ...snap, since, resync: true });
  }
  // A change elsewhere leaves this host's revision alone.
  await h.append(e.network('n9'), e.portUpdated('p1', 'n1', { securityGroups: ['def'] }));
  expect((await h.snapshot('c1')).revision).toBe(snap.revision);
  // A host never seen has revision 0 of the current epoch.
  expect((await h.snapshot('nowhere')).revision).toBe('1-0');

  await h.runtime.projector!.rebuild();
  const after = await h.changes('c1', snap.revision);
  expect(after.resync).toBe(true);
  expect(after.revision).toMatch(/^2-\d+$/);
  expect({ ...after, revision: 'x', since: null, resync: true }).toEqual({ ...snap, revision: 'x', since: null, resync: true });
});

test('tombstones older than the horizon are compacted; a since behind it gets a resync', async () => {
  h = await L2Harness.sqlite({ compaction: { keepRevisions: 4, compactEvery: 2 } });
  await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.network('n1'), vm('p1', 'c1', 1));
  const old = await h.snapshot('c1');
  // Separate appends (batches): within one batch a port that comes and goes changes nothing, so no revision.
  for (let i = 0; i < 6; i++) {
    await h.append(vm(`q${i}`, 'c2', 10 + i));
    await h.append(e.portDeleted(`q${i}`, 'n1', 'c2'));
  }
  const recent = await h.snapshot('c1');
  await h.append(vm('q9', 'c2', 30));
  // The tombstones the old revision would need are gone: the horizons have passed it.
  const row = await h.db.get<{ horizon: number }>("SELECT horizon FROM l2_host_revs WHERE host = 'c1'");
  expect(Number(row!.horizon)).toBeGreaterThan(Number(old.revision.split('-')[1]));
  const net = await h.db.get<{ horizon: number }>("SELECT horizon FROM l2_net_horizons WHERE network_id = 'n1'");
  expect(Number(net!.horizon)).toBeGreaterThan(Number(old.revision.split('-')[1]));
  const stale = await h.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM l2_members WHERE deleted = 1 AND seq <= ?', [net!.horizon]);
  expect(Number(stale!.n)).toBe(0);
  expect((await h.changes('c1', old.revision)).resync).toBe(true);
  const delta = await h.changes('c1', recent.revision);
  expect(delta.resync).toBe(false);
  expect(applyDelta(recent, delta)).toEqual(await h.snapshot('c1'));
  expect(applyDelta(recent, await h.changes('c1', recent.revision, 'entries'))).toEqual(await h.snapshot('c1'));
  const fdbStale = await h.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM l2_fdb WHERE deleted = 1 AND seq <= ?', [net!.horizon]);
  expect(Number(fdbStale!.n)).toBe(0);
});

test('set member tombstones are compacted; a host behind the set horizon gets the set whole, then only what changed', async () => {
  h = await L2Harness.sqlite({ compaction: { keepRevisions: 4, compactEvery: 2 } });
  await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.network('n1'), ...e.defaultGroup('def'));
  await h.append(vm('p1', 'c1', 1, 'n1', ['def']));
  const old = await h.snapshot('c1');
  for (let i = 0; i < 6; i++) {
    await h.append(e.port(`q${i}`, 'n1', { host: 'c2', mac: MAC(10 + i), ips: [`192.168.1.${10 + i}`], groups: ['def'] }));
    await h.append(e.portDeleted(`q${i}`, 'n1', 'c2'));
  }
  const set = await h.db.get<{ horizon: number }>("SELECT horizon FROM l2_sets WHERE sg_id = 'def' AND ethertype = 'IPv4'");
  expect(Number(set!.horizon)).toBeGreaterThan(0);
  const stale = await h.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM l2_set_ips WHERE sg_id = 'def' AND refs = 0 AND seq <= ?", [
    set!.horizon,
  ]);
  expect(Number(stale!.n)).toBe(0);
  const recent = await h.snapshot('c1');
  await h.append(e.port('q9', 'n1', { host: 'c2', mac: MAC(30), ips: ['192.168.1.30'], groups: ['def'] }));
  const now = await h.snapshot('c1');
  const doc = await h.changes('c1', recent.revision, 'entries');
  expect(doc).toMatchObject({ resync: false, ipsets: { NIPv4def: { members: { added: ['192.168.1.30'], removed: [] } } } });
  expect(applyDelta(recent, doc)).toEqual(now);
  const behind = await h.changes('c1', old.revision, 'entries');
  if (!behind.resync) expect(behind.ipsets.NIPv4def).toMatchObject({ full: true, members: { added: ['192.168.1.1', '192.168.1.30'] } });
  expect(applyDelta(old, behind)).toEqual(now);
});

test("a host behind its set's horizon but not its own gets that set whole in an entry delta", async () => {
  h = await L2Harness.sqlite({ compaction: { keepRevisions: 4, compactEvery: 2 } });
  await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.network('n1'), ...e.defaultGroup('def'));
  await h.append(vm('p1', 'c1', 1, 'n1', ['def']));
  // Changes that move c1 without touching the set (ports outside the group), then ones that change the set:
  // the host's horizon and the set's move at different batches.
  const seen: L2Snapshot[] = [];
  for (let i = 0; i < 8; i++) {
    seen.push(await h.snapshot('c1'));
    await h.append(vm(`n${i}`, 'c2', 50 + i));
    seen.push(await h.snapshot('c1'));
    await h.append(e.port(`q${i}`, 'n1', { host: 'c2', mac: MAC(10 + i), ips: [`192.168.1.${10 + i}`], groups: ['def'] }));
  }
  const host = await h.db.get<{ horizon: number }>("SELECT horizon FROM l2_host_revs WHERE host = 'c1'");
  const set = await h.db.get<{ horizon: number }>("SELECT horizon FROM l2_sets WHERE sg_id = 'def' AND ethertype = 'IPv4'");
  const rev = (s: L2Snapshot) => Number(s.revision.split('-')[1]);
  const between = seen.find((s) => rev(s) >= Number(host!.horizon) && rev(s) < Number(set!.horizon));
  expect(between).toBeDefined();
  const doc = await h.changes('c1', between!.revision, 'entries');
  expect(doc).toMatchObject({ resync: false, ipsets: { NIPv4def: { full: true, members: { removed: [] } } } });
  expect(applyDelta(between!, doc)).toEqual(await h.snapshot('c1'));
});

test('entry deltas carry what changed, not the size of the network or the group', async () => {
  h = await L2Harness.sqlite();
  await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.network('n1'), ...e.defaultGroup('def'));
  await h.append(vm('p1', 'c1', 1, 'n1', ['def']));
  for (let i = 0; i < 40; i++) await h.append(vm(`q${i}`, 'c2', 100 + i, 'n1', ['def']));
  const r0 = await h.snapshot('c1');
  expect(r0.networks.n1.fdb['10.0.0.2']).toHaveLength(40);
  await h.append(vm('q40', 'c2', 200, 'n1', ['def']));
  await h.append(e.portDeleted('q0', 'n1', 'c2'));
  const entries = await h.changes('c1', r0.revision, 'entries');
  expect(entries).toEqual({
    host: 'c1',
    revision: expect.any(String),
    since: r0.revision,
    resync: false,
    delta: 'entries',
    networks: {
      n1: {
        network_type: 'vxlan',
        segmentation_id: expect.any(Number),
        flood: { added: [], removed: [] },
        fdb: { added: [['10.0.0.2', MAC(200), '192.168.1.200']], removed: [['10.0.0.2', MAC(100), '192.168.1.100']] },
      },
    },
    ipsets: {
      NIPv4def: { security_group_id: 'def', ethertype: 'IPv4', members: { added: ['192.168.1.200'], removed: ['192.168.1.100'] } },
    },
  });
  const lists = await h.changes('c1', r0.revision, 'lists');
  expect(JSON.stringify(entries).length * 5).toBeLessThan(JSON.stringify(lists).length);
  expect(applyDelta(r0, entries)).toEqual(applyDelta(r0, lists));
  expect(applyDelta(r0, entries)).toEqual(await h.snapshot('c1'));
  // The last port behind a remote goes: it leaves the flood list with its entry.
  for (let i = 1; i <= 40; i++) await h.append(e.portDeleted(`q${i}`, 'n1', 'c2'));
  const r1 = await h.snapshot('c1');
  expect(r1.networks.n1.flood).toEqual([]);
  const gone = await h.changes('c1', r0.revision, 'entries');
  expect(gone).toMatchObject({ resync: false, networks: { n1: { flood: { added: [], removed: ['10.0.0.2'] } } } });
  expect(applyDelta(r0, gone)).toEqual(r1);
});

test('idempotent: redelivered events and a restarted projector change nothing', async () => {
  h = await L2Harness.sqlite();
  await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.agent('c3', '10.0.0.3'), SCENARIO.flat());
  const revs = () => h.db.all('SELECT host, rev FROM l2_host_revs ORDER BY host');
  const [digest, revisions] = [await h.digest(), await revs()];

  // Every event delivered twice in a row (an at-least-once transport): same model, same revisions.
  const dir = tempDir();
  const twice = await openReadModel({ kind: 'sqlite', path: join(dir, 'twice.sqlite'), synchronous: 'NORMAL' });
  const projection = new L2popProjection(twice);
  const { name, version, tables, tableNames, handles } = projection;
  const doubled: Projection = {
    name,
    version,
    tables,
    tableNames,
    handles,
    digest: (db) => projection.digest(db),
    apply: async (tx, event, after) => {
      await projection.apply(tx, event, after);
      await projection.apply(tx, event, after);
    },
  };
  await replayInto(h.store, twice, doubled);
  expect(await projection.digest(twice)).toBe(digest);
  expect(await twice.all('SELECT host, rev FROM l2_host_revs ORDER BY host')).toEqual(revisions);
  await twice.close();
  rmSync(dir, { recursive: true, force: true });

  // A second projector on the same model resumes at the checkpoint: nothing is applied again.
  const again = new StoreProjector(h.store, h.db, new L2popProjection(h.db));
  await again.start();
  await again.stop();
  expect(await h.digest()).toBe(digest);
  expect(await revs()).toEqual(revisions);
});

test('fan-out: a port going up wakes only the hosts whose view of its network changed', async () => {
  h = await L2Harness.sqlite();
  const hosts = Array.from({ length: 100 }, (_, i) => `h${i}`);
  await h.append(hosts.map((host, i) => e.agent(host, `10.1.${Math.floor(i / 200)}.${(i % 200) + 1}`)));
  // Every host is busy with a network of its own, so all 100 have views and watchers.
  await h.append(hosts.flatMap((host, i) => [e.network(`own-${i}`), ...vm(`own-${i}`, host, 1, `own-${i}`)]));
  await h.append(e.network('x'), vm('x0', 'h0', 1, 'x'), vm('x1', 'h1', 2, 'x'), vm('x2', 'h2', 3, 'x'));

  const woken = new Map<string, number>();
  const unsubscribe = hosts.map((host) => h.runtime.feed.hub.subscribe(host, () => woken.set(host, (woken.get(host) ?? 0) + 1)));
  const notified: string[] = [];
  h.runtime.feed.hub.tap((host) => notified.push(host));

  // x is on h0, h1 and h2. A port bound to h2 concerns only h2's agent, which has to plug it;
  // once up, it changes h0's and h1's FDB, and h2 never sees its own ports among the remotes.
  await h.append(e.port('x2b', 'x', { host: 'h2', mac: MAC(9), ips: ['192.168.1.9'] }));
  expect(notified).toEqual(['h2']);
  notified.length = 0;
  woken.clear();
  await h.append(e.up('x2b', 'x', 'h2'));
  expect([...woken.keys()].sort()).toEqual(['h0', 'h1']);
  expect(notified.sort()).toEqual(['h0', 'h1']);

  // A port up on a fourth host: the three hosts of x learn it, and h3 gets its first view of x.
  woken.clear();
  await h.append(vm('x3', 'h3', 4, 'x'));
  expect([...woken.keys()].sort()).toEqual(['h0', 'h1', 'h2', 'h3']);
  expect([...woken.values()].every((n) => n === 1)).toBe(true);
  unsubscribe.forEach((u) => u());
});

test('a host that left a network and came back drops the remotes that went meanwhile', async () => {
  h = await L2Harness.sqlite();
  await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.agent('c3', '10.0.0.3'), e.network('n1'));
  await h.append(vm('p1', 'c1', 1), vm('p2', 'c2', 2), vm('p3', 'c3', 3));
  const r0 = await h.snapshot('c1');
  expect(r0.networks.n1.flood).toEqual(['10.0.0.2', '10.0.0.3']);
  await h.append(e.down('p1', 'n1', 'c1'));
  // c3 leaves while c1 is out of the network: c1 is not told then...
  await h.append(e.portDeleted('p3', 'n1', 'c3'));
  await h.append(e.up('p1', 'n1', 'c1'));
  // ...so coming back, it gets the whole network, marked full, and c3 is gone from its copy.
  const doc = await h.changes('c1', r0.revision);
  expect(doc).toMatchObject({ resync: false, networks: { n1: { full: true, remotes: { '10.0.0.2': [[MAC(2), '192.168.1.2']] } } } });
  const now = await h.snapshot('c1');
  expect(now.networks.n1.flood).toEqual(['10.0.0.2']);
  expect(applyDelta(r0, doc)).toEqual(now);
  const entries = await h.changes('c1', r0.revision, 'entries');
  expect(entries).toMatchObject({ networks: { n1: { full: true, flood: { added: ['10.0.0.2'], removed: [] } } } });
  expect(applyDelta(r0, entries)).toEqual(now);
});

test('a set whose members change reaches the hosts holding it, with all its members', async () => {
  h = await L2Harness.sqlite();
  await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.network('n1'), ...e.defaultGroup('def'));
  await h.append(vm('p1', 'c1', 1, 'n1', ['def']));
  const r0 = await h.snapshot('c1');
  expect(r0.ipsets[`NIPv4def`]?.members).toEqual(['192.168.1.1']);
  const woken: string[] = [];
  h.runtime.feed.hub.tap((host) => woken.push(host));
  // A port of the group on another host: c1 holds the group's set, so it learns the new member.
  await h.append(e.port('p2', 'n1', { host: 'c2', mac: MAC(2), ips: ['192.168.1.2'], groups: ['def'] }));
  expect(woken.sort()).toEqual(['c1', 'c2']);
  const doc = await h.changes('c1', r0.revision);
  expect(doc).toMatchObject({ resync: false, networks: {}, ipsets: { NIPv4def: { members: ['192.168.1.1', '192.168.1.2'] } } });
  expect(applyDelta(r0, doc)).toEqual(await h.snapshot('c1'));
  const entries = await h.changes('c1', r0.revision, 'entries');
  expect(entries).toMatchObject({ networks: {}, ipsets: { NIPv4def: { members: { added: ['192.168.1.2'], removed: [] } } } });
  expect(applyDelta(r0, entries)).toEqual(await h.snapshot('c1'));
  // Two ports sharing an IP: the member stays until the last of them goes.
  await h.append(e.port('p3', 'n1', { host: 'c2', mac: MAC(3), ips: ['192.168.1.2'], groups: ['def'] }));
  await h.append(e.portDeleted('p2', 'n1', 'c2'));
  expect((await h.snapshot('c1')).ipsets.NIPv4def.members).toEqual(['192.168.1.1', '192.168.1.2']);
  await h.append(e.portDeleted('p3', 'n1', 'c2'));
  expect((await h.snapshot('c1')).ipsets.NIPv4def.members).toEqual(['192.168.1.1']);
});

test('a server that only answers queries wakes watchers of changes another process projected', async () => {
  h = await L2Harness.sqlite();
  await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.network('n1'), vm('p1', 'c1', 1));
  // Queries only, over the same read model: the harness's projector stands for the other process.
  const reader = new L2popRuntime({ db: h.db, pollMs: 50 });
  await reader.start();
  const woken: string[] = [];
  reader.feed.hub.subscribe('c1', (revision) => woken.push(revision));
  reader.feed.hub.subscribe('nowhere', (revision) => woken.push(`nowhere ${revision}`));
  await waitUntil(() => woken.length >= 2);
  woken.length = 0;
  await h.append(vm('p2', 'c2', 2));
  const moved = (await h.snapshot('c1')).revision;
  await waitUntil(() => woken.includes(moved));
  await new Promise((r) => setTimeout(r, 200));
  // Only c1 moved: the idle host's watchers were not woken again.
  expect(woken).toEqual([moved]);
  await reader.stop();
});

async function waitUntil(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(ok()).toBe(true);
}
