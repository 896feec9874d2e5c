import type { DomainEventBody } from '@cp/events';
import { haNetworkDecider, routerPlacementDecider, evolveAll, type AgentCandidate } from '@cp/domain';
import { planRouter, type NetworkSnapshot, type PlanInput } from './plan';

const agents = (...hosts: string[]): AgentCandidate[] => hosts.map((host) => ({ agentId: `id-${host}`, host, load: 0 }));
const network = (index: number, routers: string[]): NetworkSnapshot => {
  const events: DomainEventBody[] = [
    { type: 'HaNetworkCreated', data: { projectId: 'p1', id: `hn${index}`, networkId: `hn${index}`, subnetId: `hs${index}`, cidr: '169.254.192.0/18', name: 'x', index } },
    ...routers.map((routerId, i) => ({ type: 'VridAllocated' as const, data: { projectId: 'p1', haNetworkId: `hn${index}`, routerId, vrid: i + 1 } })),
  ];
  return { id: `hn${index}`, index, state: evolveAll(haNetworkDecider, haNetworkDecider.initialState(), events), version: events.length };
};
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  routerId: 'r1', projectId: 'p1', wantHa: true, deleted: false, fill: false,
  placement: { state: routerPlacementDecider.initialState(), version: 0 },
  networks: [], candidates: agents('a', 'b', 'c', 'd'), evacuate: new Map(),
  limits: { max: 3, min: 2, priority: 50 },
  newNetwork: (index) => ({ networkId: `new${index}`, subnetId: `sub${index}`, segmentationId: 16_000_000 + index, mtu: 1450 }),
  newPortId: (agentId) => `port-${agentId}`,
  ...over,
});
const streamsOf = (appends: ReturnType<typeof planRouter>) => appends.map((a) => `${a.streamId}@${a.expectedVersion}:${a.events.map((e) => e.type).join(',')}`);

describe('planRouter', () => {
  it('opens the first HA network of a project with its network, subnet, VRID, bindings and ports', () => {
    expect(streamsOf(planRouter(input()))).toEqual([
      'network:new0@0:NetworkCreated', 'subnet:sub0@0:SubnetCreated', 'ha-network:new0@0:HaNetworkCreated,VridAllocated',
      'router-ha:r1@0:RouterScheduledToAgent,RouterScheduledToAgent,RouterScheduledToAgent',
      'port:port-id-a@0:PortCreated,PortBoundToHost', 'port:port-id-b@0:PortCreated,PortBoundToHost', 'port:port-id-c@0:PortCreated,PortBoundToHost',
    ]);
  });

  it('allocates in the first network with room, at the version it was folded at', () => {
    const appends = planRouter(input({ networks: [network(0, ['x', 'y'])] }));
    expect(appends[0]).toMatchObject({ streamId: 'ha-network:hn0', expectedVersion: 3, events: [{ type: 'VridAllocated', data: { vrid: 3 } }] });
  });

  it('opens the next network when every one is full', () => {
    const full = network(0, Array.from({ length: 255 }, (_, i) => `x${i}`));
    const appends = planRouter(input({ networks: [full] }));
    expect(appends[0].streamId).toBe('network:new1');
    expect(appends[2].events[1]).toMatchObject({ type: 'VridAllocated', data: { vrid: 1, haNetworkId: 'new1' } });
  });

  it('gives HA ports addresses from the VRID block', () => {
    const appends = planRouter(input({ networks: [network(0, ['x'])] }));
    const created = appends.filter((a) => a.streamId.startsWith('port:')).map((a) => a.events[0]);
    expect(created.map((e) => e.type === 'PortCreated' && e.data.fixedIps[0].ipAddress)).toEqual(['169.254.192.128', '169.254.192.129', '169.254.192.130']);
  });

  it('does nothing for a router that is placed and has its VRID', () => {
    const placed = planRouter(input({ networks: [network(0, [])] }));
    const state = evolveAll(routerPlacementDecider, routerPlacementDecider.initialState(), placed.find((a) => a.streamId === 'router-ha:r1')!.events);
    expect(planRouter(input({ networks: [network(0, ['r1'])], placement: { state, version: 3 } }))).toEqual([]);
  });

  it('releases the VRID and removes bindings and ports of a deleted router', () => {
    const placed = planRouter(input({ networks: [network(0, [])] }));
    const state = evolveAll(routerPlacementDecider, routerPlacementDecider.initialState(), placed.find((a) => a.streamId === 'router-ha:r1')!.events);
    const appends = planRouter(input({ wantHa: false, deleted: true, networks: [network(0, ['r1'])], placement: { state, version: 3 } }));
    expect(streamsOf(appends)).toEqual([
      'ha-network:hn0@2:VridReleased',
      'router-ha:r1@3:RouterUnscheduledFromAgent,RouterUnscheduledFromAgent,RouterUnscheduledFromAgent',
      'port:port-id-a@any:PortDeleted', 'port:port-id-b@any:PortDeleted', 'port:port-id-c@any:PortDeleted',
    ]);
  });

  it('replaces an evacuated agent with the least loaded one not hosting the router, keeping the VRID', () => {
    const placed = planRouter(input({ networks: [network(0, [])] }));
    const state = evolveAll(routerPlacementDecider, routerPlacementDecider.initialState(), placed.find((a) => a.streamId === 'router-ha:r1')!.events);
    const appends = planRouter(input({
      networks: [network(0, ['r1'])], placement: { state, version: 3 }, candidates: agents('a', 'c', 'd'), evacuate: new Map([['id-b', 'agent_dead']]),
    }));
    expect(streamsOf(appends)).toEqual(['router-ha:r1@3:RouterUnscheduledFromAgent,RouterScheduledToAgent', 'port:port-id-b@any:PortDeleted', 'port:port-id-d@0:PortCreated,PortBoundToHost']);
  });

  it('leaves a router on enough agents alone when an agent comes back, unless it is a new agent (fill)', () => {
    const placed = planRouter(input({ networks: [network(0, [])], candidates: agents('a', 'b') }));
    const state = evolveAll(routerPlacementDecider, routerPlacementDecider.initialState(), placed.find((a) => a.streamId === 'router-ha:r1')!.events);
    const base = { networks: [network(0, ['r1'])], placement: { state, version: 2 }, candidates: agents('a', 'b', 'c') };
    expect(planRouter(input(base))).toEqual([]);
    expect(streamsOf(planRouter(input({ ...base, fill: true })))[0]).toBe('router-ha:r1@2:RouterScheduledToAgent');
  });
});
