import { ReferenceL3Agent } from '../../apps/l3-scheduler/src/agent/l3-agent';
import { L3Runtime } from '../../apps/l3-scheduler/src/runtime';
import { eventually, startInProcess, type Json } from '../support/control-plane';

const L3_AGENTS = `/v1/agents/${encodeURIComponent('L3 agent')}`;
const OVS_AGENTS = `/v1/agents/${encodeURIComponent('Open vSwitch agent')}`;

/**
 * Where routers run and where their ports are bound, through the API of the
 * embedded control plane: legacy routers on one agent, an admin moving a router
 * between agents (Neutron's l3_agent_scheduler), and router ports bound to the
 * router's host so that host's agent brings them up (an HA router's to its
 * active instance, moving on failover).
 */
describe('router hosting and router ports through the API', () => {
  let cp: Awaited<ReturnType<typeof startInProcess>>;
  const hosts = ['net1', 'net2', 'net3'];
  const agentIds = new Map<string, string>();
  let ovsAgent: string;
  let subnetIds: string[];

  beforeAll(async () => {
    cp = await startInProcess();
    for (const host of hosts) {
      const res = await cp.api.put(`${L3_AGENTS}/${host}`, { configurations: { agent_mode: 'legacy' } });
      agentIds.set(host, (res.body!.agent as Json).id as string);
    }
    ovsAgent = ((await cp.api.put(`${OVS_AGENTS}/net1`, { tunnel_ip: '198.18.0.1' })).body!.agent as Json).id as string;
    subnetIds = [];
    for (const [i, cidr] of ['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24', '10.4.0.0/24'].entries()) {
      const net = (await cp.api.post('/v2.0/networks', { network: { name: `n${i}` } })).body!.network as Json;
      const sub = await cp.api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr, ip_version: 4 } });
      subnetIds.push((sub.body!.subnet as Json).id as string);
    }
  });
  afterAll(() => cp?.close());

  const settle = () => cp.running.app.get(L3Runtime).settle();
  const agentsOf = async (routerId: string) =>
    ((await cp.api.get(`/v2.0/routers/${routerId}/l3-agents`)).body!.agents as Json[]).map((a) => [a.host, a.ha_state]);
  const port = async (id: string) => (await cp.api.get(`/v2.0/ports/${id}`)).body!.port as Json;
  const addInterface = async (routerId: string, subnetId: string) =>
    (await cp.api.put(`/v2.0/routers/${routerId}/add_router_interface`, { subnet_id: subnetId })).body!.port_id as string;
  const up = (host: string, portId: string) => cp.api.post(`/v1/hosts/${host}/ports/${portId}/up`);

  it('runs a legacy router on one agent; its interface port is bound there and goes ACTIVE when that host reports it', async () => {
    const router = (await cp.api.post('/v2.0/routers', { router: { name: 'legacy' } })).body!.router as Json;
    await settle();
    const placed = await agentsOf(router.id);
    expect(placed).toEqual([[expect.any(String), null]]); // one agent; keepalived state is for HA routers only
    const host = placed[0][0] as string;
    const doc = (await cp.api.get(`/v1/hosts/${host}/l3`)).body!.routers[router.id] as Json;
    expect(doc).toMatchObject({ ha: false, vrid: null, ha_port: null, state: 'active', active_host: host });

    const portId = await addInterface(router.id, subnetIds[0]);
    expect(await port(portId)).toMatchObject({ 'binding:host_id': host, status: 'DOWN', device_owner: 'network:router_interface' });
    const other = hosts.find((h) => h !== host)!;
    expect((await up(other, portId)).status).toBe(409);
    expect((await up(host, portId)).status).toBe(200);
    expect((await port(portId)).status).toBe('ACTIVE');
    await settle();
    expect((await cp.api.get(`/v1/hosts/${host}/l3`)).body!.routers[router.id].interfaces).toEqual([
      expect.objectContaining({ port_id: portId }),
    ]);
  });

  it('lets an admin take a router off its agent and put it on another; the ports follow, and the scheduler does not undo it', async () => {
    const router = (await cp.api.post('/v2.0/routers', { router: { name: 'moved' } })).body!.router as Json;
    await settle();
    const portId = await addInterface(router.id, subnetIds[1]);
    const [[from]] = await agentsOf(router.id);
    const to = hosts.find((h) => h !== from)!;
    const third = hosts.find((h) => h !== from && h !== to)!;

    expect((await cp.api.del(`/v2.0/agents/${agentIds.get(from as string)}/l3-routers/${router.id}`)).status).toBe(204);
    expect(await agentsOf(router.id)).toEqual([]); // at once: the answer waited for the read model
    expect(await port(portId)).toMatchObject({ 'binding:host_id': '', status: 'DOWN' });
    await settle();
    expect(await agentsOf(router.id)).toEqual([]);
    const again = await cp.api.del(`/v2.0/agents/${agentIds.get(from as string)}/l3-routers/${router.id}`);
    expect([again.status, again.body!.NeutronError.type]).toEqual([409, 'RouterNotHostedByL3Agent']);

    const added = await cp.api.post(`/v2.0/agents/${agentIds.get(to)}/l3-routers`, { router_id: router.id });
    expect([added.status, added.body]).toEqual([201, null]);
    expect(await agentsOf(router.id)).toEqual([[to, null]]);
    expect((await cp.api.get(`/v2.0/agents/${agentIds.get(to)}/l3-routers`)).body!.routers).toContainEqual(
      expect.objectContaining({ id: router.id, ha: false }),
    );
    expect(await port(portId)).toMatchObject({ 'binding:host_id': to });
    // Adding it where it already runs changes nothing; a second agent for a legacy router is refused.
    expect((await cp.api.post(`/v2.0/agents/${agentIds.get(to)}/l3-routers`, { router_id: router.id })).status).toBe(201);
    const twice = await cp.api.post(`/v2.0/agents/${agentIds.get(third)}/l3-routers`, { router_id: router.id });
    expect([twice.status, twice.body!.NeutronError.type]).toEqual([409, 'RouterHostedByL3Agent']);

    // Bad requests change nothing.
    const head = await cp.head();
    const refused = [
      await cp.api.post(`/v2.0/agents/${ovsAgent}/l3-routers`, { router_id: router.id }),
      await cp.api.post(`/v2.0/agents/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/l3-routers`, { router_id: router.id }),
      await cp.api.post(`/v2.0/agents/${agentIds.get(third)}/l3-routers`, { router_id: 'not-a-uuid' }),
      await cp.api.as('p1').post(`/v2.0/agents/${agentIds.get(third)}/l3-routers`, { router_id: router.id }),
    ];
    expect(refused.map((r) => [r.status, r.body!.NeutronError.type])).toEqual([
      [400, 'InvalidL3Agent'],
      [404, 'AgentNotFound'],
      [400, 'BadRequest'],
      [403, 'PolicyNotAuthorized'],
    ]);
    expect(await cp.head()).toBe(head);
  });

  it('binds an HA router interface to the active instance, keeps it there through a split-brain, and moves it on failover', async () => {
    const router = (await cp.api.post('/v2.0/routers', { router: { name: 'ha', ha: true } })).body!.router as Json;
    await settle();
    expect((await agentsOf(router.id)).map(([, state]) => state)).toEqual(['standby', 'standby', 'standby']);
    const portId = await addInterface(router.id, subnetIds[2]);
    // No instance is active yet: nowhere to bind it.
    expect(await port(portId)).toMatchObject({ 'binding:host_id': '', device_owner: 'network:ha_router_replicated_interface' });

    // One call per host for all its routers; a router the host does not run is listed, not fatal.
    const unknown = '00000000-0000-4000-8000-000000000000';
    const batch = await cp.api.put('/v1/hosts/net1/ha_states', { states: { [router.id]: 'active', [unknown]: 'standby' } });
    expect(batch.status).toBe(200);
    expect(batch.body).toEqual({
      ha_states: [{ router_id: router.id, host: 'net1', agent_id: agentIds.get('net1'), state: 'active' }],
      rejected: [{ router_id: unknown, type: 'HARouterNotScheduledOnHost', message: expect.any(String) }],
    });
    expect(await port(portId)).toMatchObject({ 'binding:host_id': 'net1' });
    expect((await up('net1', portId)).status).toBe(200);
    expect((await port(portId)).status).toBe('ACTIVE');

    // A second claimant: the first keeps the router and its port; every host is told who is active.
    expect((await cp.api.put('/v1/hosts/net2/ha_states', { states: { [router.id]: 'active' } })).status).toBe(200);
    await settle();
    expect(await port(portId)).toMatchObject({ 'binding:host_id': 'net1', status: 'ACTIVE' });
    expect((await cp.api.get(`/v1/hosts/net2/l3`)).body!.routers[router.id]).toMatchObject({ split_brain: true, active_host: 'net1' });
    expect((await cp.api.get(`/v1/routers/${router.id}/ha`)).body!.router_ha).toMatchObject({ split_brain: true, active_host: 'net1' });
    // The alarm is in the audit log, with who raised it.
    const alarms = (await cp.api.get(`/v1/events?type=RouterSplitBrainDetected`)).body!.events as Json[];
    expect(alarms).toEqual([expect.objectContaining({ type: 'RouterSplitBrainDetected' })]);
    expect(alarms[0].data).toMatchObject({ routerId: router.id, activeHost: 'net1', hosts: ['net1', 'net2'] });

    // The first steps down (keepalived failed over): the port moves to the new master, DOWN until that host reports it.
    expect((await cp.api.put(`/v1/hosts/net1/routers/${router.id}/ha_state`, { state: 'standby' })).status).toBe(200);
    expect(await port(portId)).toMatchObject({ 'binding:host_id': 'net2', status: 'DOWN' });
    expect((await up('net2', portId)).status).toBe(200);
    expect((await port(portId)).status).toBe('ACTIVE');

    const bad = await cp.api.put('/v1/hosts/net1/ha_states', { states: { [router.id]: 'master' } });
    expect([bad.status, bad.body!.NeutronError.type]).toEqual([400, 'InvalidInput']);
  });

  it('the reference L3 agent brings up the ports of the routers it runs, by itself', async () => {
    const agent = new ReferenceL3Agent({ server: cp.url, host: 'net4', heartbeatSeconds: 1, log: () => undefined });
    await agent.start();
    try {
      // The least loaded agent takes the new router: the one that runs none yet.
      const router = (await cp.api.post('/v2.0/routers', { router: { name: 'by-agent' } })).body!.router as Json;
      await settle();
      expect(await agentsOf(router.id)).toEqual([['net4', null]]);
      const portId = await addInterface(router.id, subnetIds[3]);
      await eventually(async () => (await port(portId)).status === 'ACTIVE');
      expect(await port(portId)).toMatchObject({ 'binding:host_id': 'net4' });
    } finally {
      await agent.stop();
    }
  });
});
