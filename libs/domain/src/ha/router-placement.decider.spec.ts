import type { DomainEventBody } from '@cp/events';
import { spec } from '../testing/given-when-then';
import { decideAll } from './decide-all';
import {
  activeHostOf,
  bindingsOf,
  pendingReason,
  routerPlacementDecider,
  routerPortsHost,
  type RouterPlacementCommand,
} from './router-placement.decider';
import type { AgentCandidate } from './ranking';

const agent = (host: string, load = 0): AgentCandidate => ({ agentId: `id-${host}`, host, load });
const schedule = (candidates: AgentCandidate[], over: object = {}): RouterPlacementCommand => ({
  type: 'ScheduleRouter',
  data: {
    routerId: 'r1',
    projectId: 'p1',
    candidates,
    maxAgents: 3,
    minAgents: 2,
    priority: 50,
    haPortIds: Object.fromEntries(candidates.map((c) => [c.agentId, `port-${c.host}`])),
    ...over,
  },
});
const scheduled = (host: string) => ({
  type: 'RouterScheduledToAgent' as const,
  data: { projectId: 'p1', routerId: 'r1', agentId: `id-${host}`, host, priority: 50, haPortId: `port-${host}` },
});
const unscheduled = (host: string, reason: 'agent_dead' | 'router_deleted' = 'agent_dead') => ({
  type: 'RouterUnscheduledFromAgent' as const,
  data: { projectId: 'p1', routerId: 'r1', agentId: `id-${host}`, host, reason },
});
const pending = (bound: number) => ({
  type: 'RouterSchedulingPending' as const,
  data: { projectId: 'p1', routerId: 'r1', reason: pendingReason('r1', bound, 2) },
});
const reported = (host: string, state: 'active' | 'standby') => ({
  type: 'RouterHaStateReported' as const,
  data: { projectId: 'p1', routerId: 'r1', agentId: `id-${host}`, host, state },
});
const onThree: DomainEventBody[] = [scheduled('a'), scheduled('b'), scheduled('c')];
const { given } = spec(routerPlacementDecider);

describe('router placement decider', () => {
  it('schedules to max_l3_agents_per_router agents, least loaded first, ties by host', () => {
    given([])
      .when(schedule([agent('d', 5), agent('c', 1), agent('b', 1), agent('a', 2), agent('e', 1)]))
      .thenEvents([scheduled('b'), scheduled('c'), scheduled('e')]);
  });

  it('schedules to every alive agent when there are fewer than max but at least min', () => {
    given([])
      .when(schedule([agent('b'), agent('a')]))
      .thenEvents([scheduled('a'), scheduled('b')]);
  });

  it('records pending when fewer than min agents are alive, once', () => {
    given([])
      .when(schedule([agent('a')]))
      .thenEvents([scheduled('a'), pending(1)]);
    given([])
      .when(schedule([]))
      .thenEvents([pending(0)]);
    given([pending(0)])
      .when(schedule([]))
      .thenEvents([]);
    expect(given([scheduled('a'), pending(1)]).state.status).toBe('pending');
  });

  it('leaves pending once enough agents are there', () => {
    const g = given([scheduled('a'), pending(1)]);
    g.when(schedule([agent('b'), agent('c')])).thenEvents([scheduled('b'), scheduled('c')]);
    expect(given([scheduled('a'), pending(1), scheduled('b')]).state.status).toBe('scheduled');
  });

  it('does not schedule a router twice to one agent, nor beyond max', () => {
    given(onThree)
      .when(schedule([agent('a'), agent('b'), agent('c'), agent('d')]))
      .thenEvents([]);
  });

  it('fails over: unschedule the dead agent, then the least loaded agent not hosting the router', () => {
    const result = decideAll(routerPlacementDecider, given(onThree).state, [
      { type: 'UnscheduleFromAgents', data: { routerId: 'r1', agentIds: ['id-b'], reason: 'agent_dead' } },
      schedule([agent('a'), agent('c'), agent('e', 3), agent('d', 2)]),
    ]);
    expect(result).toEqual([unscheduled('b'), scheduled('d')]);
  });

  it('gives a replacement binding the freed slot (its HA port keeps the address plan dense)', () => {
    const state = given([...onThree, unscheduled('b'), scheduled('d')]).state;
    expect(bindingsOf(state).map((b) => [b.host, b.slot])).toEqual([
      ['a', 0],
      ['c', 2],
      ['d', 1],
    ]);
  });

  it('unschedules every binding when the router goes, sorted by host', () => {
    given(onThree)
      .when({ type: 'UnscheduleRouter', data: { routerId: 'r1', reason: 'router_deleted' } })
      .thenEvents([unscheduled('a', 'router_deleted'), unscheduled('b', 'router_deleted'), unscheduled('c', 'router_deleted')]);
    expect(given([...onThree, unscheduled('a'), unscheduled('b'), unscheduled('c')]).state.status).toBe('unscheduled');
    given([])
      .when({ type: 'UnscheduleRouter', data: { routerId: 'r1', reason: 'router_deleted' } })
      .thenEvents([]);
  });

  it('records an agent HA state report for a host the router runs on', () => {
    given(onThree)
      .when({ type: 'ReportHaState', data: { routerId: 'r1', host: 'b', state: 'active' } })
      .thenEvents([reported('b', 'active')]);
    const state = given([...onThree, reported('b', 'active')]).state;
    expect(bindingsOf(state).find((b) => b.host === 'b')?.state).toBe('active');
  });

  it('treats a repeated report as no news, and a report from another host as 404', () => {
    given([...onThree, reported('b', 'active')])
      .when({ type: 'ReportHaState', data: { routerId: 'r1', host: 'b', state: 'active' } })
      .thenEvents([]);
    given(onThree)
      .when({ type: 'ReportHaState', data: { routerId: 'r1', host: 'z', state: 'active' } })
      .thenRejected(404, 'HARouterNotScheduledOnHost');
  });

  it('starts a new binding as standby, whatever its host reported before', () => {
    const state = given([...onThree, reported('b', 'active'), unscheduled('b'), scheduled('b')]).state;
    expect(bindingsOf(state).find((b) => b.host === 'b')?.state).toBe('standby');
  });

  it('holds a router pending with the reason it cannot be placed, once per reason', () => {
    const hold = (reason: string) => ({ type: 'HoldPending' as const, data: { routerId: 'r1', projectId: 'p1', reason } });
    const held = { type: 'RouterSchedulingPending' as const, data: { projectId: 'p1', routerId: 'r1', reason: 'no HA network' } };
    given([]).when(hold('no HA network')).thenEvents([held]);
    given([held]).when(hold('no HA network')).thenEvents([]);
    expect(given([held]).state).toMatchObject({ status: 'pending', reason: 'no HA network' });
  });

  describe('split-brain: two hosts claim the router', () => {
    const report = (host: string, state: 'active' | 'standby') => ({
      type: 'ReportHaState' as const,
      data: { routerId: 'r1', host, state },
    });
    const detected = (hosts: string[]) => ({
      type: 'RouterSplitBrainDetected' as const,
      data: { projectId: 'p1', routerId: 'r1', activeHost: hosts[0], hosts },
    });
    const resolved = (activeHost: string | null) => ({
      type: 'RouterSplitBrainResolved' as const,
      data: { projectId: 'p1', routerId: 'r1', activeHost },
    });

    it('raises the alarm once; the first active host stays authoritative and keeps the ports', () => {
      const first = [...onThree, reported('b', 'active')];
      given(first)
        .when(report('a', 'active'))
        .thenEvents([reported('a', 'active'), detected(['b', 'a'])]);
      const split = given([...first, reported('a', 'active'), detected(['b', 'a'])]).state;
      expect(activeHostOf(split)).toBe('b');
      expect(routerPortsHost(split)).toBe('b');
      // A third claimant is the same split-brain, not a new alarm.
      given([...first, reported('a', 'active'), detected(['b', 'a'])])
        .when(report('c', 'active'))
        .thenEvents([reported('c', 'active')]);
    });

    it('ends when a claimant steps down or is unscheduled; the next claimant in order takes over', () => {
      const split = [...onThree, reported('b', 'active'), reported('a', 'active'), detected(['b', 'a'])];
      given(split)
        .when(report('b', 'standby'))
        .thenEvents([reported('b', 'standby'), resolved('a')]);
      expect(activeHostOf(given([...split, reported('b', 'standby'), resolved('a')]).state)).toBe('a');
      given(split)
        .when({ type: 'UnscheduleFromAgents', data: { routerId: 'r1', agentIds: ['id-a'], reason: 'agent_dead' } })
        .thenEvents([unscheduled('a'), resolved('b')]);
    });
  });

  it("binds router ports where the router runs: a legacy router's agent, an HA router's active one, nowhere when unplaced", () => {
    const legacy = { ...scheduled('a'), data: { ...scheduled('a').data, haPortId: null } };
    expect(routerPortsHost(given([legacy]).state)).toBe('a');
    expect(routerPortsHost(given(onThree).state)).toBeUndefined(); // no active instance yet: leave them
    expect(routerPortsHost(given([...onThree, reported('c', 'active')]).state)).toBe('c');
    expect(routerPortsHost(given([]).state)).toBeNull();
  });
});
