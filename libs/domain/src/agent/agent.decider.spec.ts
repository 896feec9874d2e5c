import { spec } from '../testing/given-when-then';
import type { AgentCommand } from './agent.commands';
import { agentDecider } from './agent.decider';

const { given } = spec(agentDecider);

type Report = Extract<AgentCommand, { type: 'ReportAgentState' }>['data'];
const report: Report = {
  agentType: 'Open vSwitch agent',
  host: 'compute-1',
  binary: 'neutron-openvswitch-agent',
  topic: 'N/A',
  tunnelIp: '192.0.2.11',
  availabilityZone: 'nova',
  configurations: { tunnel_types: ['vxlan'], bridge_mappings: {} },
  now: '2024-05-01T10:00:00Z',
  newAgentId: 'a1',
};
const heartbeat = (over: Partial<Report> = {}) => ({ type: 'ReportAgentState' as const, data: { ...report, ...over } });
const ref = { id: 'a1', agentType: 'Open vSwitch agent', host: 'compute-1' };
const { agentType: _t, host: _h, now: _n, newAgentId: _i, ...config } = report;
const registered = { type: 'AgentRegistered' as const, data: { ...ref, ...config } };
const alive = (at = '2024-05-01T10:00:00Z') => ({ type: 'AgentAlive' as const, data: { ...ref, heartbeatAt: at } });
const dead = (last = '2024-05-01T10:00:30Z') => ({ type: 'AgentDead' as const, data: { ...ref, lastHeartbeatAt: last } });
const markDead = (last = '2024-05-01T10:00:30Z') => ({
  type: 'MarkAgentDead' as const,
  data: { agentType: ref.agentType, host: ref.host, lastHeartbeatAt: last },
});

describe('agent decider', () => {
  it('registers a new agent, alive', () => {
    given([]).when(heartbeat()).thenEvents([registered, alive()]);
  });

  it('registers an agent disabled when new agents start disabled', () => {
    given([])
      .when(heartbeat({ adminStateUpIfNew: false }))
      .thenEvents([registered, { type: 'AgentAdminStateChanged', data: { ...ref, adminStateUp: false } }, alive()]);
  });

  it('records nothing for a plain heartbeat of a known, alive agent', () => {
    const reordered = { bridge_mappings: {}, tunnel_types: ['vxlan'] };
    given([registered, alive()])
      .when(heartbeat({ now: '2024-05-01T10:00:30Z', configurations: reordered }))
      .thenEvents([]);
  });

  it('records a configuration change', () => {
    given([registered, alive()])
      .when(heartbeat({ tunnelIp: '192.0.2.99' }))
      .thenEvents([{ type: 'AgentConfigurationChanged', data: { ...ref, ...config, tunnelIp: '192.0.2.99' } }]);
    given([registered, alive()])
      .when(heartbeat({ configurations: { tunnel_types: ['vxlan', 'gre'], bridge_mappings: {} } }))
      .thenEvents([
        {
          type: 'AgentConfigurationChanged',
          data: { ...ref, ...config, configurations: { tunnel_types: ['vxlan', 'gre'], bridge_mappings: {} } },
        },
      ]);
  });

  it('rejects a tunnel IP that is not an IP address, and an empty host', () => {
    for (const bad of ['192.0.2', 'compute-1', 'fe80::1%eth0', '']) {
      given([])
        .when(heartbeat({ tunnelIp: bad }))
        .thenRejected(400, 'InvalidInput', /tunnel_ip/);
    }
    given([])
      .when(heartbeat({ tunnelIp: '2001:db8::11' }))
      .thenEvents([{ ...registered, data: { ...registered.data, tunnelIp: '2001:db8::11' } }, alive()]);
    given([])
      .when(heartbeat({ host: ' ' }))
      .thenRejected(400, 'InvalidInput', /host/);
  });

  it('marks an alive agent dead, once', () => {
    given([registered, alive()]).when(markDead()).thenEvents([dead()]);
    given([registered, alive(), dead()]).when(markDead()).thenEvents([]);
  });

  it('ignores a death notice older than the agent’s revival', () => {
    given([registered, alive(), dead(), alive('2024-05-01T10:05:00Z')])
      .when(markDead('2024-05-01T10:00:30Z'))
      .thenEvents([]);
  });

  it('revives a dead agent on its next heartbeat, with any configuration change first', () => {
    const at = '2024-05-01T10:05:00Z';
    given([registered, alive(), dead()])
      .when(heartbeat({ now: at }))
      .thenEvents([alive(at)]);
    given([registered, alive(), dead()])
      .when(heartbeat({ now: at, availabilityZone: 'az2' }))
      .thenEvents([{ type: 'AgentConfigurationChanged', data: { ...ref, ...config, availabilityZone: 'az2' } }, alive(at)]);
  });

  it('changes the admin state only when it differs', () => {
    const set = (adminStateUp: boolean) => ({ type: 'SetAgentAdminState' as const, data: { ...ref, adminStateUp } });
    given([registered, alive()])
      .when(set(false))
      .thenEvents([{ type: 'AgentAdminStateChanged', data: { ...ref, adminStateUp: false } }]);
    given([registered, alive()]).when(set(true)).thenEvents([]);
  });

  it("records an operator's description of the agent when it changes", () => {
    const describe = (description: string) => ({ type: 'SetAgentDescription' as const, data: { ...ref, description } });
    const described = { type: 'AgentDescriptionChanged' as const, data: { ...ref, description: 'rack 4' } };
    given([registered]).when(describe('rack 4')).thenEvents([described]);
    given([registered, described]).when(describe('rack 4')).thenEvents([]);
  });

  it('deletes an agent, alive or dead; a later report registers it anew', () => {
    const del = { type: 'DeleteAgent' as const, data: ref };
    const deleted = { type: 'AgentDeleted' as const, data: ref };
    given([registered, alive()]).when(del).thenEvents([deleted]);
    given([registered, alive(), dead()]).when(del).thenEvents([deleted]);
    const again = { ...ref, id: 'a2' };
    given([registered, alive(), deleted])
      .when(heartbeat({ newAgentId: 'a2' }))
      .thenEvents([
        { type: 'AgentRegistered', data: { ...again, ...config } },
        { type: 'AgentAlive', data: { ...again, heartbeatAt: report.now } },
      ]);
  });

  it('answers 404 for an agent it does not know', () => {
    given([])
      .when(markDead())
      .thenRejected(404, 'AgentNotFoundByTypeHost', /agent_type=Open vSwitch agent and host=compute-1/);
    given([])
      .when({ type: 'DeleteAgent', data: ref })
      .thenRejected(404, 'AgentNotFound', /Agent a1 could not be found/);
    given([registered])
      .when({ type: 'SetAgentAdminState', data: { ...ref, id: 'other', adminStateUp: false } })
      .thenRejected(404, 'AgentNotFound');
  });
});
