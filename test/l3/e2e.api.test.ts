import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { AgentLivenessMonitor } from '../../apps/api/src/agents/liveness-monitor';
import { loadSettings } from '../../apps/api/src/config';
import { createHttpApp } from '../../apps/api/src/http-app';
import { openWriteSide, type WriteSide } from '@cp/write-model';
import { l3Config } from '../../apps/l3-scheduler/src/config';
import { L3SchedulerModule } from '../../apps/l3-scheduler/src/http/l3-scheduler.module';
import { openL3ReadModel, L3Runtime } from '../../apps/l3-scheduler/src/runtime';
import type { Database } from '@cp/store';
import { client, removeDir } from '../support/control-plane';
import { openstackCli, openstackJson } from '../support/openstack-cli';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- HTTP bodies are checked by assertions
const L3_AGENTS = `/v1/agents/${encodeURIComponent('L3 agent')}`;
const hasCli = ['/usr/bin/openstack', '/usr/local/bin/openstack'].some(existsSync);

async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The scheduler inside the API app, as embedded mode wires it: agents heartbeat
 * over HTTP, the API's liveness monitor (agent_down_time 2 s here) declares a
 * silent agent dead, and the scheduler moves its routers.
 */
describe('HA routers end to end through the API', () => {
  let dir: string;
  let ws: WriteSide;
  let l3db: Database;
  let app: INestApplication;
  let monitor: AgentLivenessMonitor;
  let api: ReturnType<typeof client>;
  let base: string;
  const beating = new Set(['net1', 'net2', 'net3', 'net4']);
  let heartbeats: NodeJS.Timeout;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'l3-e2e-'));
    const settings = loadSettings({
      CP_PORT: '0',
      CP_DATA_DIR: dir,
      CP_LOG_LEVEL: 'silent',
      CP_SQLITE_SYNCHRONOUS: 'NORMAL',
      CP_AGENT_DOWN_TIME: '2',
    });
    ws = await openWriteSide({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    l3db = await openL3ReadModel({ kind: 'sqlite', path: join(dir, 'l3.sqlite'), synchronous: 'NORMAL' });
    const l3 = L3SchedulerModule.forRoot({ db: l3db, writeSide: ws, config: l3Config({ agentDownTime: 2 }), pollMs: 500 });
    app = await createHttpApp(ws, settings, [l3]);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    api = client(base);
    monitor = new AgentLivenessMonitor(ws, { downTimeSeconds: 2, projectId: 'admin', intervalMs: 200 }).start();
    const beat = async () => {
      try {
        for (const host of beating) await api.put(`${L3_AGENTS}/${host}`, { configurations: { agent_mode: 'legacy' } });
      } catch {
        // The app is closing under a heartbeat in flight.
      }
    };
    await beat();
    // Heartbeats every 250 ms against a 2 s down time: a busy test machine does not kill a live agent.
    heartbeats = setInterval(() => void beat(), 250);
  });
  afterAll(async () => {
    clearInterval(heartbeats);
    await monitor.stop();
    await app.close();
    await l3db.close();
    await ws.db.close();
    removeDir(dir);
  });

  const settle = () => app.get(L3Runtime).settle();
  const agentsOf = async (routerId: string): Promise<Json[]> =>
    (await api.get(`/v2.0/routers/${routerId}/l3-agents`)).body!.agents as Json[];

  it('schedules an HA router created through the API on 3 agents, and fails it over when an agent stops heartbeating', async () => {
    const router = (await api.post('/v2.0/routers', { router: { name: 'ha1', ha: true } })).body!.router as Json;
    await settle();
    const first = await eventually(async () => {
      const agents = await agentsOf(router.id);
      return agents.length === 3 && agents;
    });
    const ha = (await api.get(`/v1/routers/${router.id}/ha`)).body!.router_ha as Json;
    expect(ha).toMatchObject({ vrid: 1, status: 'scheduled', split_brain: false });

    const victim = first[0].host as string;
    beating.delete(victim);
    const after = await eventually(async () => {
      await settle();
      const agents = await agentsOf(router.id);
      return agents.length === 3 && !agents.some((a) => a.host === victim) && agents;
    });
    expect(after.map((a) => a.alive)).toEqual([true, true, true]);
    expect((await api.get(`/v1/routers/${router.id}/ha`)).body!.router_ha).toMatchObject({ vrid: 1, ha_network_id: ha.ha_network_id });

    // The agent comes back: it takes nothing back.
    beating.add(victim);
    await eventually(async () => ((await api.get(`/v2.0/agents/${first[0].id}`)).body!.agent as Json).alive === true);
    await settle();
    expect((await agentsOf(router.id)).map((a) => a.host)).toEqual(after.map((a) => a.host));

    // An agent reports active: the Neutron view shows it (as `--long` prints it).
    const active = after[1].host as string;
    expect((await api.put(`/v1/hosts/${active}/routers/${router.id}/ha_state`, { state: 'active' })).status).toBe(200);
    await settle();
    expect((await agentsOf(router.id)).map((a) => [a.host, a.ha_state])).toEqual(
      after.map((a) => [a.host, a.host === active ? 'active' : 'standby']),
    );
    const doc = (await api.get(`/v1/hosts/${active}/l3`)).body!;
    expect(doc.routers[router.id]).toMatchObject({ vrid: 1, state: 'active', active_host: active, priority: 50 });

    if (hasCli) {
      const rows = await openstackJson<Json[]>(openstackCli(base), ['network', 'agent', 'list', '--router', router.id, '--long']);
      expect(rows.map((r) => [r.Host, r['HA State']])).toEqual(after.map((a) => [a.host, a.host === active ? 'active' : 'standby']));
    }
  });

  it('keeps an active instance whose agent restarts within agent_down_time; past it, the router leaves that host but its ports wait for a new master', async () => {
    const router = (await api.post('/v2.0/routers', { router: { name: 'ha-restart', ha: true } })).body!.router as Json;
    const net = (await api.post('/v2.0/networks', { network: { name: 'ha-restart' } })).body!.network as Json;
    const sub = (await api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.77.0.0/24', ip_version: 4 } })).body!
      .subnet as Json;
    const portId = (await api.put(`/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id })).body!.port_id as string;
    await settle();
    const hosts = (
      await eventually(async () => {
        const agents = await agentsOf(router.id);
        return agents.length === 3 && agents;
      })
    ).map((a) => a.host as string);
    const master = hosts[0];
    expect((await api.put(`/v1/hosts/${master}/ha_states`, { states: { [router.id]: 'active' } })).status).toBe(200);
    const binding = async () => ((await api.get(`/v2.0/ports/${portId}`)).body!.port as Json)['binding:host_id'];
    expect(await binding()).toBe(master);
    const deaths = async () =>
      ((await api.get(`/v1/events?type=AgentDead`)).body!.events as Json[]).filter((e) => e.data.host === master).length;
    const before = await deaths();

    // The agent restarts (no heartbeat for 1 s, under the 2 s agent_down_time) while keepalived goes on: nothing moves.
    beating.delete(master);
    await new Promise((r) => setTimeout(r, 1000));
    beating.add(master);
    await new Promise((r) => setTimeout(r, 1500));
    await settle();
    expect(await deaths()).toBe(before);
    expect((await agentsOf(router.id)).map((a) => a.host)).toEqual(hosts);
    expect(((await api.get(`/v1/routers/${router.id}/ha`)).body!.router_ha as Json).active_host).toBe(master);
    expect(await binding()).toBe(master);

    // Its heartbeats lapse for longer: failover takes the router (and its HA port) off that host. The control plane does not
    // pick the next VRRP master; the router's ports stay where they were until one reports active.
    beating.delete(master);
    const after = await eventually(async () => {
      await settle();
      const agents = await agentsOf(router.id);
      return agents.length === 3 && !agents.some((a) => a.host === master) && agents;
    });
    expect(((await api.get(`/v1/routers/${router.id}/ha`)).body!.router_ha as Json).active_host).toBeNull();
    expect(await binding()).toBe(master);
    const next = after[0].host as string;
    expect((await api.put(`/v1/hosts/${next}/ha_states`, { states: { [router.id]: 'active' } })).status).toBe(200);
    expect(await binding()).toBe(next);
    beating.add(master);
  });
});
