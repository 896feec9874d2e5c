import { AgentLivenessMonitor } from '../../apps/api/src/agents/liveness-monitor';
import { startInProcess, type Json } from '../support/control-plane';

type Plane = Awaited<ReturnType<typeof startInProcess>>;

const OVS = `/v1/agents/${encodeURIComponent('Open vSwitch agent')}`;
const L3 = `/v1/agents/${encodeURIComponent('L3 agent')}`;
const report = (over: Json = {}) => ({
  tunnel_ip: '192.0.2.11',
  availability_zone: 'nova',
  configurations: { tunnel_types: ['vxlan'], l2_population: true },
  ...over,
});
const typesAfter = async (cp: Plane, after: number) =>
  ((await cp.api.get(`/v1/events?after=${after}&resource_type=agent`)).body!.events as Json[]).map((e) => e.type);

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('agents: register, heartbeat, admin view', () => {
  let cp: Plane;
  beforeAll(async () => {
    cp = await startInProcess();
  });
  afterAll(async () => cp.close());

  it('registers an agent on its first report and records only changes after that', async () => {
    const before = await cp.head();
    const first = await cp.api.put(`${OVS}/compute-1`, report());
    expect(first.status).toBe(200);
    const agent = first.body!.agent;
    expect(agent).toEqual({
      id: expect.any(String),
      agent_type: 'Open vSwitch agent',
      binary: 'neutron-openvswitch-agent',
      host: 'compute-1',
      topic: 'N/A',
      admin_state_up: true,
      alive: true,
      availability_zone: 'nova',
      configurations: { tunnel_types: ['vxlan'], l2_population: true, tunneling_ip: '192.0.2.11' },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      started_at: agent.created_at,
      heartbeat_timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      description: '',
      resources_synced: null,
    });
    expect(await typesAfter(cp, before)).toEqual(['AgentRegistered', 'AgentAlive']);

    const registered = await cp.head();
    const again = await cp.api.put(`${OVS}/compute-1`, report({ configurations: { l2_population: true, tunnel_types: ['vxlan'] } }));
    expect(again.body!.agent.id).toBe(agent.id);
    expect(await cp.head()).toBe(registered); // a plain heartbeat is not an event

    const moved = await cp.api.put(`${OVS}/compute-1`, report({ tunnel_ip: '192.0.2.99' }));
    expect(moved.body!.agent.configurations.tunneling_ip).toBe('192.0.2.99');
    expect(await typesAfter(cp, registered)).toEqual(['AgentConfigurationChanged']);
  });

  it('refuses bad reports with 400 and records nothing', async () => {
    const cases: Array<[Json, RegExp]> = [
      [report({ tunnel_ip: '192.0.2' }), /'192\.0\.2' is not a valid IP address \(tunnel_ip\)/],
      [report({ colour: 'red' }), /Unrecognized attribute\(s\) 'colour'/],
      [report({ configurations: 'x' }), /configurations/],
    ];
    for (const [body, message] of cases) {
      const before = await cp.head();
      const res = await cp.api.put(`${OVS}/compute-9`, body);
      expect(res.status).toBe(400);
      expect(res.body!.NeutronError.message).toMatch(message);
      expect(await cp.head()).toBe(before);
    }
    expect((await cp.api.get('/v2.0/agents?host=compute-9')).body!.agents).toEqual([]);
  });

  it('lists, filters and shows agents for admins only', async () => {
    const l3 = (
      await cp.api.put(`${L3}/network-1`, { tunnel_ip: null, availability_zone: 'az1', configurations: { agent_mode: 'legacy' } })
    ).body!.agent;
    expect(l3).toMatchObject({
      binary: 'neutron-l3-agent',
      topic: 'l3_agent',
      availability_zone: 'az1',
      configurations: { agent_mode: 'legacy' },
    });
    const listed = await cp.api.get(`/v2.0/agents?agent_type=${encodeURIComponent('L3 agent')}&fields=id&fields=host&fields=alive`);
    expect(listed.body).toEqual({ agents: [{ id: l3.id, host: 'network-1', alive: true }] });
    expect((await cp.api.get(`/v2.0/agents/${l3.id}`)).body!.agent).toMatchObject({ id: l3.id, alive: true });

    const bob = cp.api.as('bob');
    expect((await bob.get('/v2.0/agents')).body!.agents).toEqual([]);
    const before = await cp.head();
    for (const res of [
      await bob.get(`/v2.0/agents/${l3.id}`),
      await bob.put(`/v2.0/agents/${l3.id}`, { agent: { admin_state_up: false } }),
      await bob.del(`/v2.0/agents/${l3.id}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body!.NeutronError.type).toBe('AgentNotFound');
    }
    expect((await cp.api.get('/v2.0/agents/no-such-agent')).status).toBe(404);
    expect(await cp.head()).toBe(before);
  });

  it('lets an admin disable and delete an agent; its next report registers it anew', async () => {
    const agent = (await cp.api.put(`${OVS}/compute-2`, report({ tunnel_ip: '192.0.2.12' }))).body!.agent;
    const before = await cp.head();
    const disabled = await cp.api.put(`/v2.0/agents/${agent.id}`, { agent: { admin_state_up: false } });
    expect(disabled.body!.agent.admin_state_up).toBe(false);
    expect(await typesAfter(cp, before)).toEqual(['AgentAdminStateChanged']);

    // An operator's note is recorded like any change (and survives a rebuild).
    const described = await cp.api.put(`/v2.0/agents/${agent.id}`, { agent: { description: 'rack 4, spare' } });
    expect(described.body!.agent).toMatchObject({ description: 'rack 4, spare', admin_state_up: false });
    expect((await cp.api.get(`/v2.0/agents/${agent.id}`)).body!.agent.description).toBe('rack 4, spare');
    expect(await typesAfter(cp, before)).toEqual(['AgentAdminStateChanged', 'AgentDescriptionChanged']);

    expect((await cp.api.del(`/v2.0/agents/${agent.id}`)).status).toBe(204);
    expect((await cp.api.get(`/v2.0/agents/${agent.id}`)).status).toBe(404);
    const reborn = (await cp.api.put(`${OVS}/compute-2`, report({ tunnel_ip: '192.0.2.12' }))).body!.agent;
    expect(reborn.id).not.toBe(agent.id);
    expect(reborn.admin_state_up).toBe(true);
  });
});

describe('agents: liveness', () => {
  let cp: Plane;
  let monitor: AgentLivenessMonitor;
  beforeAll(async () => {
    cp = await startInProcess({ CP_AGENT_DOWN_TIME: '1' });
    // Started here explicitly so the test does not depend on how embedded.ts wires it;
    // a second monitor beside one started by the process is harmless by design.
    monitor = new AgentLivenessMonitor(cp.running.ws, { downTimeSeconds: 1, projectId: 'admin' }).start();
  });
  afterAll(async () => {
    await monitor.stop();
    await cp.close();
  });

  it('marks an agent without heartbeats dead once, and alive again on its next heartbeat', async () => {
    expect(monitor.intervalMs).toBeCloseTo(333, 0);
    const start = await cp.head();
    const agent = (await cp.api.put(`${OVS}/compute-3`, report({ tunnel_ip: '192.0.2.13' }))).body!.agent;
    expect(agent.alive).toBe(true);

    const dead = await eventually(async () => {
      const events = (await cp.api.get(`/v1/events?type=AgentDead&resource_id=${agent.id}`)).body!.events as Json[];
      return events.length > 0 ? events : undefined;
    });
    expect(dead[0]).toMatchObject({ resource_type: 'agent', actor: 'agent-liveness-monitor', data: { id: agent.id, host: 'compute-3' } });
    expect((await cp.api.get(`/v2.0/agents/${agent.id}`)).body!.agent.alive).toBe(false);

    // Later checks find it already dead: no second AgentDead.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await typesAfter(cp, start)).toEqual(['AgentRegistered', 'AgentAlive', 'AgentDead']);

    const revived = await cp.api.put(`${OVS}/compute-3`, report({ tunnel_ip: '192.0.2.13' }));
    expect(revived.body!.agent).toMatchObject({ id: agent.id, alive: true });
    expect(await typesAfter(cp, start)).toEqual(['AgentRegistered', 'AgentAlive', 'AgentDead', 'AgentAlive']);
  });

  it('keeps an agent that heartbeats in time alive', async () => {
    const agent = (await cp.api.put(`${OVS}/compute-4`, report({ tunnel_ip: '192.0.2.14' }))).body!.agent;
    const start = await cp.head();
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await cp.api.put(`${OVS}/compute-4`, report({ tunnel_ip: '192.0.2.14' }));
    }
    const events = (await cp.api.get(`/v1/events?after=${start}&resource_id=${agent.id}`)).body!.events;
    expect(events).toEqual([]);
  });
});
