import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partitionKey, type DomainEvent } from '@cp/events';
import { AfterCommit, type Database } from '@cp/store';
import { routerHaStream } from '@cp/write-model';
import { applyL3Changes } from '../../apps/l3-scheduler/src/contract/l3-documents';
import { L3Projection } from '../../apps/l3-scheduler/src/read-model/l3.projection';
import { reportHaState } from '../../apps/l3-scheduler/src/reports/report-ha-state';
import { L3Runtime, openL3ReadModel } from '../../apps/l3-scheduler/src/runtime';
import { sqliteStore, type TestStore } from './support/databases';
import { Driver } from './support/driver';
import { allEvents, truth } from './support/truth';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
const now = '2026-01-01T00:10:00.000Z';

/** Applies events to a fresh read model in the given order, one transaction each. */
async function projectInto(db: Database, events: DomainEvent[]): Promise<L3Projection> {
  const projection = new L3Projection(db);
  const handled = new Set<string>(projection.handles);
  for (const e of events) if (handled.has(e.type)) await db.transaction((tx) => projection.apply(tx, e, new AfterCommit()));
  return projection;
}

/** Another order of the same events that keeps every partition's own order (as Kafka may deliver them). */
function interleave(events: DomainEvent[], how: 'reverse-partitions' | 'round-robin'): DomainEvent[] {
  const parts = new Map<string, DomainEvent[]>();
  for (const e of events) parts.set(partitionKey(e), [...(parts.get(partitionKey(e)) ?? []), e]);
  const queues = [...parts.values()];
  if (how === 'reverse-partitions') return queues.reverse().flat();
  const out: DomainEvent[] = [];
  while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) out.push(q.shift()!);
  return out;
}

describe('L3 read model (SQLite)', () => {
  let t: TestStore;
  let driver: Driver;
  let runtime: L3Runtime;
  let dir: string;
  const extra: Database[] = [];

  beforeEach(async () => {
    t = await sqliteStore();
    driver = new Driver(t.store);
    dir = mkdtempSync(join(tmpdir(), 'l3-rm-'));
    const db = await openL3ReadModel({ kind: 'sqlite', path: join(dir, 'l3.sqlite'), synchronous: 'NORMAL' });
    extra.push(db);
    runtime = new L3Runtime({ db, writeSide: t.ws, scheduler: {} });
    await runtime.start();
  });
  afterEach(async () => {
    await runtime.stop();
    for (const db of extra.splice(0)) await db.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function history(): Promise<void> {
    for (const h of ['net1', 'net2', 'net3', 'net4']) await driver.agentUp(h);
    await driver.append(
      [
        {
          streamId: 'subnet:s1',
          expectedVersion: 0,
          events: [
            {
              type: 'SubnetCreated',
              data: {
                id: 's1',
                networkId: 'n1',
                projectId: 'p1',
                ipVersion: 4,
                cidr: '10.0.0.0/24',
                ipv6AddressMode: null,
                ipv6RaMode: null,
                name: '',
                description: '',
                gatewayIp: '10.0.0.1',
                allocationPools: [],
                enableDhcp: true,
                dnsNameservers: [],
                hostRoutes: [],
              },
            },
          ],
        },
      ],
      'p1',
    );
    await driver.createRouters(ids('r', 40));
    await driver.router('r000', {
      type: 'RouterInterfaceAdded',
      data: { id: 'r000', projectId: 'p1', portId: 'if1', networkId: 'n1', subnetIds: ['s1'] },
    });
    await driver.router('r000', {
      type: 'RouterGatewaySet',
      data: {
        id: 'r000',
        projectId: 'p1',
        networkId: 'ext',
        portId: 'gw1',
        enableSnat: true,
        externalFixedIps: [{ subnetId: 'es', ipAddress: '203.0.113.5' }],
      },
    });
    await runtime.settle();
    await driver.agentDead('net2');
    await driver.deleteRouters(ids('r', 5).slice(1));
    await runtime.settle();
  }

  it('shows each host its routers with VRID, priority and HA network, as the decisions say', async () => {
    await history();
    const { assignments } = await truth(t.store);
    for (const host of ['net1', 'net2', 'net3', 'net4']) {
      const snap = await runtime.feed.snapshot(host);
      const expected = [...assignments]
        .filter(([, a]) => a.hosts.includes(host))
        .map(([id]) => id)
        .sort();
      expect(Object.keys(snap.routers)).toEqual(expected);
      for (const [id, doc] of Object.entries(snap.routers)) {
        expect(doc).toMatchObject({
          vrid: assignments.get(id)!.vrid,
          ha_network_id: assignments.get(id)!.haNetwork,
          priority: 50,
          state: 'standby',
        });
        expect(doc.ha_port?.ip_address).toMatch(/^169\.254\./);
      }
    }
    const r0 = (await runtime.feed.snapshot(assignments.get('r000')!.hosts[0])).routers.r000;
    expect(r0).toMatchObject({
      name: 'r000',
      ha_cidr: '169.254.192.0/18',
      interfaces: [{ port_id: 'if1', network_id: 'n1', subnets: [{ id: 's1', cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1' }] }],
      gateway: { network_id: 'ext', enable_snat: true, external_fixed_ips: [{ subnet_id: 'es', ip_address: '203.0.113.5' }] },
    });
  });

  it('flags split-brain when two agents report active; the first stays the one active host, and the alarm is an event', async () => {
    await history();
    const hosts = (await truth(t.store)).assignments.get('r010')!.hosts;
    const report = (host: string, state: 'active' | 'standby') =>
      reportHaState(t.ws.runner, { host, routerId: 'r010', state }, { actor: 'agent', requestId: 'req', now });
    await report(hosts[0], 'active');
    await runtime.settle();
    expect((await runtime.feed.snapshot(hosts[1])).routers.r010).toMatchObject({
      split_brain: false,
      active_host: hosts[0],
      state: 'standby',
    });
    await report(hosts[1], 'active');
    await runtime.settle();
    // The second claimant does not take the router over: every document still names the first, so the second steps down.
    for (const host of hosts) {
      expect((await runtime.feed.snapshot(host)).routers.r010).toMatchObject({ split_brain: true, active_host: hosts[0] });
    }
    const alarms = async () =>
      (await t.store.readStream(routerHaStream('r010'))).filter((e) => e.type.startsWith('RouterSplitBrain')).map((e) => [e.type, e.data]);
    expect(await alarms()).toEqual([
      ['RouterSplitBrainDetected', expect.objectContaining({ routerId: 'r010', activeHost: hosts[0], hosts: [hosts[0], hosts[1]] })],
    ]);
    const agents = (await runtime.neutron.l3AgentsOfRouter('r010'))!;
    expect(agents.map((a) => [a.host, a.ha_state])).toEqual([
      [hosts[0], 'active'],
      [hosts[1], 'active'],
      [hosts[2], 'standby'],
    ]);
    await report(hosts[0], 'standby');
    await runtime.settle();
    expect((await runtime.feed.snapshot(hosts[0])).routers.r010).toMatchObject({ split_brain: false, active_host: hosts[1] });
    expect((await alarms())[1]).toEqual(['RouterSplitBrainResolved', expect.objectContaining({ activeHost: hosts[1] })]);
    await expect(
      reportHaState(t.ws.runner, { host: 'nowhere', routerId: 'r010', state: 'active' }, { actor: 'a', requestId: 'r', now }),
    ).rejects.toMatchObject({
      rejection: { status: 404, type: 'HARouterNotScheduledOnHost' },
    });
  });

  it('rebuilt from position 0 equals live, and equals the model of any partition interleaving', async () => {
    await history();
    await reportHaState(t.ws.runner, { host: 'net1', routerId: 'r000', state: 'active' }, { actor: 'agent', requestId: 'req', now });
    await runtime.settle();
    const live = await runtime.projection.digest(runtime.options.db);
    await runtime.projector!.rebuild();
    expect(await runtime.projection.digest(runtime.options.db)).toBe(live);

    const events = await allEvents(t.store);
    for (const how of ['reverse-partitions', 'round-robin'] as const) {
      const db = await openL3ReadModel({ kind: 'sqlite', path: join(dir, `${how}.sqlite`), synchronous: 'NORMAL' });
      extra.push(db);
      const projection = await projectInto(db, interleave(events, how));
      expect(await projection.digest(db)).toBe(live);
    }
  });

  it('serves deltas: snapshot(r0) plus changes since r0 equals snapshot(r), with tombstones for routers that left', async () => {
    for (const h of ['net1', 'net2', 'net3', 'net4']) await driver.agentUp(h);
    await driver.createRouters(ids('r', 12));
    await runtime.settle();
    const before = await runtime.feed.snapshot('net1');
    await driver.agentDead('net1');
    await driver.createRouters(ids('s', 3));
    await runtime.settle();
    const delta = await runtime.feed.changes('net1', before.revision);
    expect(delta.resync).toBe(false);
    expect(Object.values(delta.routers).every((r) => r === null)).toBe(true);
    expect(applyL3Changes(before, delta)).toEqual(await runtime.feed.snapshot('net1'));
    expect(await runtime.feed.changes('net1', 'bogus')).toMatchObject({ resync: true, since: 'bogus' });

    await runtime.projector!.rebuild();
    // A revision from before the rebuild belongs to another epoch: resync, never a wrong delta.
    expect(await runtime.feed.changes('net1', delta.revision)).toMatchObject({ resync: true });
  });

  it('applying the same events again after a restart changes nothing', async () => {
    await history();
    const live = await runtime.projection.digest(runtime.options.db);
    const rev = await runtime.feed.revision('net3');
    await runtime.stop();
    runtime = new L3Runtime({ db: runtime.options.db, writeSide: t.ws, scheduler: {} });
    await runtime.start();
    await runtime.settle();
    expect(await runtime.projection.digest(runtime.options.db)).toBe(live);
    expect(await runtime.feed.revision('net3')).toBe(rev);
  });
});
