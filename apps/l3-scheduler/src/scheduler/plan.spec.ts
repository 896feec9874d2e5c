import type { DomainEventBody } from '@cp/events';
import {
  bindingsOf,
  decideAll,
  evolveAll,
  haNetworkDecider,
  routerPlacementDecider,
  type AgentCandidate,
  type RouterPlacementState,
} from '@cp/domain';
import { planRouter, type NetworkSnapshot, type PlanInput } from './plan';

const agents = (...hosts: string[]): AgentCandidate[] => hosts.map((host) => ({ agentId: `id-${host}`, host, load: 0 }));
const network = (index: number, routers: string[]): NetworkSnapshot => {
  const events: DomainEventBody[] = [
    {
      type: 'HaNetworkCreated',
      data: {
        projectId: 'p1',
        id: `hn${index}`,
        networkId: `hn${index}`,
        subnetId: `hs${index}`,
        cidr: '169.254.192.0/18',
        name: 'x',
        index,
      },
    },
    ...routers.map((routerId, i) => ({
      type: 'VridAllocated' as const,
      data: { projectId: 'p1', haNetworkId: `hn${index}`, routerId, vrid: i + 1 },
    })),
  ];
  return { id: `hn${index}`, index, state: evolveAll(haNetworkDecider, haNetworkDecider.initialState(), events) };
};
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  routerId: 'r1',
  projectId: 'p1',
  mode: 'ha',
  fill: false,
  placement: routerPlacementDecider.initialState(),
  networks: [],
  candidates: agents('a', 'b', 'c', 'd'),
  evacuate: new Map(),
  limits: { max: 3, min: 2, priority: 50 },
  haPortId: (agentId) => `port-${agentId}`,
  ...over,
});
/** The placement the plan's commands lead to. */
const placed = (over: Partial<PlanInput> = {}): RouterPlacementState => {
  const plan = planRouter(input(over));
  const events = decideAll(routerPlacementDecider, input(over).placement, plan.placement);
  if (!Array.isArray(events)) throw new Error(events.message);
  return evolveAll(routerPlacementDecider, input(over).placement, events);
};
const hosts = (s: RouterPlacementState) => (s.status === 'unscheduled' ? [] : s.bindings.map((b) => b.host));

describe('planRouter', () => {
  it('opens the first HA network of a project and places the router on max agents, each with its HA port id', () => {
    const plan = planRouter(input());
    expect(plan.vrid).toEqual({ action: 'open', index: 0 });
    expect(plan.placement).toMatchObject([
      { type: 'ScheduleRouter', data: { maxAgents: 3, haPortIds: { 'id-a': 'port-id-a', 'id-d': 'port-id-d' } } },
    ]);
    expect(hosts(placed())).toEqual(['a', 'b', 'c']);
  });

  it('allocates in the first network with room', () => {
    const plan = planRouter(input({ networks: [network(0, ['x', 'y'])] }));
    expect(plan.vrid).toMatchObject({ action: 'allocate', network: { id: 'hn0' } });
  });

  it('opens the next network when every one is full', () => {
    const full = network(
      0,
      Array.from({ length: 255 }, (_, i) => `x${i}`),
    );
    expect(planRouter(input({ networks: [full] })).vrid).toEqual({ action: 'open', index: 1 });
  });

  it('does nothing for a router that is placed and has its VRID', () => {
    const state = placed({ networks: [network(0, [])] });
    const plan = planRouter(input({ networks: [network(0, ['r1'])], placement: state }));
    expect(plan.vrid).toEqual({ action: 'keep' });
    expect(decideAll(routerPlacementDecider, state, plan.placement)).toEqual([]);
  });

  it('releases the VRID and unschedules every binding of a deleted router', () => {
    const state = placed({ networks: [network(0, [])] });
    const plan = planRouter(input({ mode: 'deleted', networks: [network(0, ['r1'])], placement: state }));
    expect(plan.vrid).toMatchObject({ action: 'release', network: { id: 'hn0' } });
    expect(plan.placement).toEqual([{ type: 'UnscheduleRouter', data: { routerId: 'r1', reason: 'router_deleted' } }]);
  });

  it('replaces an evacuated agent with the least loaded one not hosting the router, keeping the VRID', () => {
    const state = placed({ networks: [network(0, [])] });
    const over = {
      networks: [network(0, ['r1'])],
      placement: state,
      candidates: agents('a', 'c', 'd'),
      evacuate: new Map([['id-b', 'agent_dead' as const]]),
    };
    expect(planRouter(input(over)).vrid).toEqual({ action: 'keep' });
    expect(planRouter(input(over)).placement.map((c) => c.type)).toEqual(['UnscheduleFromAgents', 'ScheduleRouter']);
    expect(hosts(placed(over))).toEqual(['a', 'c', 'd']);
  });

  it('leaves a router on enough agents alone when an agent comes back, unless it is a new agent (fill)', () => {
    const state = placed({ networks: [network(0, [])], candidates: agents('a', 'b') });
    const base = { networks: [network(0, ['r1'])], placement: state, candidates: agents('a', 'b', 'c') };
    expect(planRouter(input(base)).placement).toEqual([]);
    expect(hosts(placed({ ...base, fill: true }))).toEqual(['a', 'b', 'c']);
  });

  describe('legacy routers', () => {
    const legacy = (over: Partial<PlanInput> = {}) => ({ mode: 'legacy' as const, candidates: agents('b', 'a'), ...over });

    it('run on the one least loaded agent, with no VRID and no HA port', () => {
      const plan = planRouter(input(legacy()));
      expect(plan.vrid).toEqual({ action: 'keep' });
      expect(plan.placement).toMatchObject([{ type: 'ScheduleRouter', data: { maxAgents: 1, minAgents: 1, haPortIds: {} } }]);
      const state = placed(legacy());
      expect(hosts(state)).toEqual(['a']);
      expect(bindingsOf(state)[0].haPortId).toBeNull();
    });

    it('wait, saying why, when no agent can take them', () => {
      expect(placed(legacy({ candidates: [] }))).toMatchObject({ status: 'pending', reason: expect.stringContaining('at least 1') });
    });

    it('stay where they are while their agent lives', () => {
      const state = placed(legacy());
      expect(planRouter(input(legacy({ placement: state, fill: true }))).placement).toMatchObject([{ type: 'ScheduleRouter' }]);
      expect(hosts(placed(legacy({ placement: state, fill: true })))).toEqual(['a']);
      expect(planRouter(input(legacy({ placement: state })))).toEqual({ vrid: { action: 'keep' }, placement: [] });
    });

    it('become HA: the legacy binding goes, a VRID and HA bindings come', () => {
      const state = placed(legacy());
      const plan = planRouter(input({ placement: state }));
      expect(plan.vrid).toEqual({ action: 'open', index: 0 });
      expect(plan.placement[0]).toEqual({
        type: 'UnscheduleFromAgents',
        data: { routerId: 'r1', agentIds: ['id-a'], reason: 'router_made_ha' },
      });
      expect(bindingsOf(placed({ placement: state })).map((b) => b.haPortId)).toEqual(['port-id-a', 'port-id-b', 'port-id-c']);
    });

    it('an HA router made legacy gives back its VRID and its HA bindings, and runs on one agent', () => {
      const state = placed({ networks: [network(0, [])] });
      const over = legacy({ networks: [network(0, ['r1'])], placement: state });
      expect(planRouter(input(over)).vrid).toMatchObject({ action: 'release', network: { id: 'hn0' } });
      expect(planRouter(input(over)).placement[0]).toMatchObject({ type: 'UnscheduleFromAgents', data: { reason: 'router_not_ha' } });
      expect(bindingsOf(placed(over)).map((b) => [b.host, b.haPortId])).toEqual([['a', null]]);
    });
  });
});
