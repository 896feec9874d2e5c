import { l3Config } from '../../apps/l3-scheduler/src/config';
import { haNetworkIds } from '../../apps/l3-scheduler/src/ids';
import { activeHostOf, bindingsOf, routerPlacementDecider } from '@cp/domain';
import { reportHaState } from '../../apps/l3-scheduler/src/reports/report-ha-state';
import { L3Scheduler } from '../../apps/l3-scheduler/src/scheduler/l3-scheduler';
import { sqliteStore, type TestStore } from './support/databases';
import { Driver } from './support/driver';
import { describe as text, truth } from './support/truth';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `r${String(i).padStart(3, '0')}`);

describe('L3 scheduler: agents coming and going (SQLite)', () => {
  let t: TestStore;
  let driver: Driver;
  let scheduler: L3Scheduler;

  const start = async (overrides = {}) => {
    scheduler = new L3Scheduler({ writeSide: t.ws, config: l3Config(overrides) });
    await scheduler.start();
  };

  beforeEach(async () => {
    t = await sqliteStore();
    driver = new Driver(t.store);
  });
  afterEach(async () => {
    await scheduler?.stop();
    await t.close();
  });

  it('moves a dead agent routers to alive agents, keeps their VRIDs, and a revived agent takes nothing back', async () => {
    await start();
    for (const h of ['net1', 'net2', 'net3', 'net4', 'net5']) await driver.agentUp(h);
    await driver.createRouters(ids(60));
    await scheduler.catchUp();
    const before = (await truth(t.store)).assignments;
    const onNet2 = [...before].filter(([, a]) => a.hosts.includes('net2')).map(([id]) => id);
    expect(onNet2.length).toBeGreaterThan(0);

    await driver.agentDead('net2');
    await scheduler.catchUp();
    const after = (await truth(t.store)).assignments;
    for (const [id, a] of after) {
      expect(a.hosts).not.toContain('net2');
      expect(a.hosts).toHaveLength(3);
      expect([a.haNetwork, a.vrid]).toEqual([before.get(id)!.haNetwork, before.get(id)!.vrid]);
    }
    // Routers not on the dead agent did not move.
    for (const [id, a] of before) if (!onNet2.includes(id)) expect(after.get(id)!.hosts).toEqual(a.hosts);

    const events = (await truth(t.store)).events.length;
    await driver.agentAlive('net2');
    await scheduler.catchUp();
    const revived = await truth(t.store);
    expect(text(revived.assignments)).toBe(text(after));
    expect(revived.events.length).toBe(events + 1); // the AgentAlive itself, nothing decided
  });

  it('records the causing event and the scheduler as actor on every decision', async () => {
    await start();
    for (const h of ['net1', 'net2']) await driver.agentUp(h);
    await driver.createRouters(['r1']);
    await scheduler.catchUp();
    const { events } = await truth(t.store);
    const created = events.find((e) => e.type === 'RouterCreated')!;
    const decisions = events.filter((e) => e.metadata.actor === 'l3-scheduler');
    expect(decisions.map((e) => e.type)).toEqual([
      'NetworkCreated',
      'SubnetCreated',
      'HaNetworkCreated',
      'VridAllocated',
      'RouterScheduledToAgent',
      'RouterScheduledToAgent',
      'PortCreated',
      'PortBoundToHost',
      'PortCreated',
      'PortBoundToHost',
    ]);
    for (const d of decisions) {
      expect(d.metadata.causationId).toBe(created.metadata.eventId);
      expect(d.metadata.requestId).toBe(created.metadata.requestId);
    }
  });

  it('keeps a router pending with fewer than 2 alive agents, and schedules it when agents arrive', async () => {
    await start();
    await driver.createRouters(['r1', 'r2']);
    await scheduler.catchUp();
    let s = await truth(t.store);
    expect(s.assignments.get('r1')).toMatchObject({ vrid: 1, hosts: [], status: 'pending' });
    expect(s.events.filter((e) => e.type === 'RouterSchedulingPending')).toHaveLength(2);

    await driver.agentUp('net1');
    await scheduler.catchUp();
    s = await truth(t.store);
    expect(s.assignments.get('r1')).toMatchObject({ hosts: ['net1'], status: 'pending' });

    await driver.agentUp('net2');
    await driver.agentUp('net3');
    await scheduler.catchUp();
    s = await truth(t.store);
    // A new agent also tops routers up to max_l3_agents_per_router, as Neutron's auto-scheduling does.
    expect(s.assignments.get('r1')).toMatchObject({ hosts: ['net1', 'net2', 'net3'], status: 'scheduled' });
    expect(s.assignments.get('r2')).toMatchObject({ hosts: ['net1', 'net2', 'net3'], status: 'scheduled' });
  });

  it('leaves routers on a dead agent when automatic failover is off', async () => {
    await start({ allowAutomaticL3agentFailover: false });
    for (const h of ['net1', 'net2', 'net3', 'net4']) await driver.agentUp(h);
    await driver.createRouters(ids(8));
    await scheduler.catchUp();
    const before = (await truth(t.store)).assignments;
    await driver.agentDead('net1');
    await scheduler.catchUp();
    expect(text((await truth(t.store)).assignments)).toBe(text(before));
  });

  it('unschedules a deleted agent and a router turned non-HA, deleting their HA ports', async () => {
    await start();
    for (const h of ['net1', 'net2', 'net3']) await driver.agentUp(h);
    await driver.createRouters(['r1', 'r2']);
    await scheduler.catchUp();
    await driver.agentDeleted('net3');
    await driver.setHa('r2', false);
    await scheduler.catchUp();
    const s = await truth(t.store);
    expect(s.assignments.get('r1')).toMatchObject({ hosts: ['net1', 'net2'], status: 'scheduled' });
    expect(s.assignments.has('r2')).toBe(false);
    const ports = new Map<string, number>();
    for (const e of s.events) {
      if (e.type === 'PortCreated') ports.set(e.data.id, 1);
      if (e.type === 'PortDeleted') ports.delete(e.data.id);
    }
    expect(ports.size).toBe(2);
    await driver.setHa('r2', true);
    await scheduler.catchUp();
    expect((await truth(t.store)).assignments.get('r2')).toMatchObject({ vrid: 2, hosts: ['net1', 'net2'] });
  });

  it('runs a legacy router on one agent, moves it off a dead agent, and places it when it turns legacy', async () => {
    await start();
    await driver.createRouters(['legacy'], 'p1', false);
    await scheduler.catchUp();
    const legacy = async () => (await truth(t.store)).placements.get('legacy')!;
    // No agent yet: it waits, saying so.
    expect(await legacy()).toMatchObject({ status: 'pending', reason: expect.stringContaining('at least 1 alive L3 agent') });
    for (const h of ['net1', 'net2']) await driver.agentUp(h);
    await scheduler.catchUp();
    let state = await legacy();
    expect(bindingsOf(state).map((b) => [b.host, b.haPortId])).toEqual([['net1', null]]);
    expect((await truth(t.store)).assignments.has('legacy')).toBe(false); // no VRID

    await driver.agentDead('net1');
    await scheduler.catchUp();
    state = await legacy();
    expect(bindingsOf(state).map((b) => b.host)).toEqual(['net2']);

    // An HA router made legacy gives back its VRID and HA ports and keeps one agent.
    await driver.createRouters(['ha'], 'p1', true);
    await driver.agentUp('net3');
    await scheduler.catchUp();
    await driver.setHa('ha', false);
    await scheduler.catchUp();
    const s = await truth(t.store);
    expect(s.assignments.has('ha')).toBe(false);
    expect(bindingsOf(s.placements.get('ha')!).map((b) => b.haPortId)).toEqual([null]);
  });

  it('tops routers up to max again when agents come back after every agent died, keeping each active instance', async () => {
    await start();
    const hosts = ['net1', 'net2', 'net3'];
    for (const h of hosts) await driver.agentUp(h);
    await driver.createRouters(ids(20));
    await scheduler.catchUp();
    for (const h of hosts) await driver.agentDead(h);
    await scheduler.catchUp();
    for (const a of (await truth(t.store)).assignments.values()) expect(a).toMatchObject({ hosts: [], status: 'pending' });

    await driver.agentAlive('net1');
    await driver.agentAlive('net2');
    await scheduler.catchUp();
    for (const a of (await truth(t.store)).assignments.values()) expect(a).toMatchObject({ hosts: ['net1', 'net2'], status: 'scheduled' });
    // keepalived elects net2 for one router before the last agent is back.
    const now = new Date().toISOString();
    await reportHaState(t.ws.runner, { host: 'net2', routerId: 'r000', state: 'active' }, { actor: 'a', requestId: 'r', now });

    await driver.agentAlive('net3');
    await scheduler.catchUp();
    const s = await truth(t.store);
    for (const a of s.assignments.values()) expect(a).toMatchObject({ hosts: hosts, status: 'scheduled' });
    expect(activeHostOf(s.placements.get('r000')!)).toBe('net2');
  });

  it('keeps a router pending with the reason when its HA network cannot be made, and goes on with the others', async () => {
    await start();
    for (const h of ['net1', 'net2', 'net3']) await driver.agentUp(h);
    // A network already holds the id the scheduler derives for project p2's HA network (the API no longer takes
    // ids in a POST; a store written before that may hold one).
    const squatted = haNetworkIds('p2', 0).networkId;
    await driver.append([
      {
        streamId: `network:${squatted}`,
        expectedVersion: 0,
        events: [
          {
            type: 'NetworkCreated',
            data: {
              id: squatted,
              projectId: 'p2',
              name: 'squat',
              description: '',
              adminStateUp: true,
              shared: false,
              external: false,
              mtu: 1450,
              networkType: 'vxlan',
              segmentationId: 77,
              physicalNetwork: null,
            },
          },
        ],
      },
    ]);
    await driver.createRouters(['p2-r'], 'p2');
    await driver.createRouters(['p1-r'], 'p1');
    await scheduler.catchUp();
    const events = await t.store.readStream('router-ha:p2-r');
    const state = events.reduce((s, e) => routerPlacementDecider.evolve(s, e), routerPlacementDecider.initialState());
    expect(state).toMatchObject({
      status: 'pending',
      reason: expect.stringMatching(new RegExp(`HA network ${squatted} of project p2 cannot be created: .*already exists`)),
    });
    expect(scheduler.outcomes.held).toBe(1);
    expect((await truth(t.store)).assignments.get('p1-r')?.hosts).toHaveLength(3);
    // The same trigger again decides nothing new.
    await driver.agentUp('net4');
    await scheduler.catchUp();
    expect(await t.store.readStream('router-ha:p2-r')).toHaveLength(events.length);
  });
});
