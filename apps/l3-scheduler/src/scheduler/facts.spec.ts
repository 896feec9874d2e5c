import type { DomainEvent, DomainEventBody } from '@cp/events';
import { activeOf } from '../read-model/router-docs';
import { neutronTime } from '../read-model/neutron.queries';
import { SchedulerFacts } from './facts';

let position = 0;
const stored = (body: DomainEventBody): DomainEvent => ({
  ...body,
  metadata: {
    eventId: `e${++position}`,
    schemaVersion: 1,
    streamId: 's',
    streamVersion: 1,
    position,
    projectId: 'p1',
    actor: 't',
    requestId: 'r',
    causationId: null,
    occurredAt: '2026-01-01T00:00:00.000Z',
  },
});
const ref = (agentType = 'L3 agent') => ({ id: 'a1', agentType, host: 'net1' });
const registered = (agentType?: string) =>
  stored({
    type: 'AgentRegistered',
    data: { ...ref(agentType), binary: 'b', topic: 't', tunnelIp: null, availabilityZone: null, configurations: {} },
  });
const alive = () => stored({ type: 'AgentAlive', data: { ...ref(), heartbeatAt: 'x' } });

describe('scheduler facts: what each event asks the scheduler to look at', () => {
  it('a router created (legacy or HA), switched between the two, or deleted, concerns that router', () => {
    const f = new SchedulerFacts();
    expect(
      f.apply(
        stored({ type: 'RouterCreated', data: { id: 'r1', projectId: 'p1', name: '', description: '', adminStateUp: true, ha: false } }),
      ),
    ).toEqual({ kind: 'router', routerId: 'r1' });
    expect(f.apply(stored({ type: 'RouterUpdated', data: { id: 'r1', projectId: 'p1', changes: { name: 'x' } } }))).toBeNull();
    expect(f.apply(stored({ type: 'RouterUpdated', data: { id: 'r1', projectId: 'p1', changes: { ha: true } } }))).toEqual({
      kind: 'router',
      routerId: 'r1',
    });
    expect(f.apply(stored({ type: 'RouterDeleted', data: { id: 'r1', projectId: 'p1', ha: true } }))).toEqual({
      kind: 'router',
      routerId: 'r1',
    });
    expect(f.routers.get('r1')).toMatchObject({ deleted: true, seq: 1 });
  });

  it('a new agent and a revived one both top routers up to max (after an outage nothing stays short)', () => {
    const f = new SchedulerFacts();
    expect(f.apply(registered())).toBeNull();
    expect(f.apply(alive())).toEqual({ kind: 'agent-usable', agentId: 'a1', fill: true });
    expect(f.apply(stored({ type: 'AgentDead', data: { ...ref(), lastHeartbeatAt: 'x' } }))).toEqual({
      kind: 'agent-gone',
      agentId: 'a1',
      reason: 'agent_dead',
    });
    expect(f.usableAgents()).toEqual([]);
    expect(f.apply(alive())).toEqual({ kind: 'agent-usable', agentId: 'a1', fill: true });
    expect(f.usableAgents().map((a) => a.host)).toEqual(['net1']);
  });

  it('disabling an agent moves nothing; only L3 agents count; dvr agents never host HA routers', () => {
    const f = new SchedulerFacts();
    expect(f.apply(registered('Open vSwitch agent'))).toBeNull();
    expect(f.agents.size).toBe(0);
    f.apply(registered());
    f.apply(alive());
    expect(f.apply(stored({ type: 'AgentAdminStateChanged', data: { ...ref(), adminStateUp: false } }))).toBeNull();
    expect(f.usableAgents()).toEqual([]);
    f.apply(stored({ type: 'AgentAdminStateChanged', data: { ...ref(), adminStateUp: true } }));
    f.apply(
      stored({
        type: 'AgentConfigurationChanged',
        data: { ...ref(), binary: 'b', topic: 't', tunnelIp: null, availabilityZone: null, configurations: { agent_mode: 'dvr' } },
      }),
    );
    expect(f.usableAgents()).toEqual([]);
  });
});

describe('read model helpers', () => {
  it('names one active host, the first still reporting active, and flags two actives as split-brain', () => {
    expect(activeOf([{ host: 'a', state: 'standby', state_pos: 0 }])).toEqual({ activeHost: null, splitBrain: false });
    expect(
      activeOf([
        { host: 'a', state: 'active', state_pos: 5 },
        { host: 'b', state: 'standby', state_pos: 9 },
      ]),
    ).toEqual({ activeHost: 'a', splitBrain: false });
    expect(
      activeOf([
        { host: 'a', state: 'active', state_pos: 5 },
        { host: 'b', state: 'active', state_pos: '9' },
      ]),
    ).toEqual({ activeHost: 'a', splitBrain: true });
  });

  it('prints times as Neutron does', () => {
    expect(neutronTime('2026-01-02T03:04:05.678Z')).toBe('2026-01-02 03:04:05');
    expect(neutronTime(null)).toBeNull();
  });
});
