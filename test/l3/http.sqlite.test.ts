import { Authentication } from '@cp/auth';
import { createHttpApp, type HttpApp } from '@cp/runtime';
import { L3SchedulerModule } from '../../apps/l3-scheduler/src/http/l3-scheduler.module';
import { applyL3Changes, type L3Changes } from '../../apps/l3-scheduler/src/contract/l3-documents';
import { L3Runtime } from '../../apps/l3-scheduler/src/runtime';
import { sqliteStore, type TestStore } from './support/databases';
import { Driver, agentId } from './support/driver';
import { truth } from './support/truth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

/** Reads server-sent events from a fetch body until `count` messages arrived. */
async function readEvents(url: string, count: number, during: () => Promise<void>): Promise<L3Changes[]> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = res.body!.getReader();
  const out: L3Changes[] = [];
  let buffer = '';
  let started = false;
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += new TextDecoder().decode(value);
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .find((l) => l.startsWith('data:'));
      buffer = buffer.slice(end + 2);
      if (data) out.push(JSON.parse(data.slice(5)) as L3Changes);
    }
    if (!started && out.length > 0) {
      started = true;
      await during();
    }
  }
  controller.abort();
  return out;
}

describe('L3 HTTP API (Nest module over SQLite)', () => {
  let t: TestStore;
  let driver: Driver;
  let runtime: L3Runtime;
  let app: HttpApp;
  let base: string;
  const admin = { 'content-type': 'application/json' };

  beforeAll(async () => {
    t = await sqliteStore();
    driver = new Driver(t.store);
    // As every process that serves the module does: callers come from authentication, before any route.
    app = await createHttpApp(L3SchedulerModule.forRoot({ db: t.db, writeSide: t.ws, pollMs: 60_000 }), {
      logger: false,
      auth: new Authentication({ strategy: 'noauth', defaultProjectId: 'admin', noauthAnyAddress: false }),
    });
    await app.listen(0, '127.0.0.1');
    runtime = app.get(L3Runtime);
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    for (const h of ['net1', 'net2', 'net3']) await driver.agentUp(h);
    await driver.createRouters(['r1', 'r2']);
    await runtime.settle();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('GET /v1/hosts/{host}/l3 lists the host routers; ?since= gives what changed', async () => {
    const snap = await json(fetch(`${base}/v1/hosts/net1/l3`));
    expect(Object.keys(snap.routers)).toEqual(['r1', 'r2']);
    expect(snap.routers.r1).toMatchObject({ vrid: 1, priority: 50, state: 'standby', split_brain: false });
    const same = await json(fetch(`${base}/v1/hosts/net1/l3?since=${snap.revision}`));
    expect(same).toEqual({ host: 'net1', revision: snap.revision, since: snap.revision, resync: false, routers: {} });
  });

  it('PUT ha_state records the report, refuses bad input (400) and hosts not running the router (404)', async () => {
    const put = (host: string, router: string, body: unknown) =>
      fetch(`${base}/v1/hosts/${host}/routers/${router}/ha_state`, { method: 'PUT', headers: admin, body: JSON.stringify(body) });
    const ok = await put('net2', 'r1', { state: 'active' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ha_state: { router_id: 'r1', host: 'net2', agent_id: agentId('net2'), state: 'active' } });
    const bad = await put('net2', 'r1', { state: 'master' });
    expect([bad.status, (await json(bad)).NeutronError.type]).toEqual([400, 'InvalidInput']);
    const missing = await put('net9', 'r1', { state: 'active' });
    expect([missing.status, (await json(missing)).NeutronError.type]).toEqual([404, 'HARouterNotScheduledOnHost']);
    const report = (await truth(t.store)).events.find((e) => e.type === 'RouterHaStateReported')!;
    expect(report.metadata.actor).toBe('l3-agent:net2');
  });

  it('GET /v2.0/routers/{id}/l3-agents lists agents with ha_state, admin only, Neutron errors', async () => {
    await runtime.settle();
    const res = await json(fetch(`${base}/v2.0/routers/r1/l3-agents`));
    expect(res.agents.map((a: { host: string; ha_state: string }) => [a.host, a.ha_state])).toEqual([
      ['net1', 'standby'],
      ['net2', 'active'],
      ['net3', 'standby'],
    ]);
    expect(res.agents[0]).toMatchObject({
      id: agentId('net1'),
      agent_type: 'L3 agent',
      alive: true,
      admin_state_up: true,
      binary: 'neutron-l3-agent',
    });
    const missing = await fetch(`${base}/v2.0/routers/nope/l3-agents`);
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { NeutronError: { type: 'RouterNotFound', message: 'Router nope could not be found', detail: '' } },
    ]);
    const tenant = await fetch(`${base}/v2.0/routers/r1/l3-agents`, { headers: { 'x-project-id': 'p1', 'x-roles': 'member' } });
    expect(tenant.status).toBe(403);
  });

  it('GET /v2.0/agents/{id}/l3-routers lists the agent routers', async () => {
    const res = await json(fetch(`${base}/v2.0/agents/${agentId('net3')}/l3-routers`));
    expect(res.routers.map((r: { id: string }) => r.id)).toEqual(['r1', 'r2']);
    expect(res.routers[0]).toMatchObject({ ha: true, status: 'ACTIVE', project_id: 'p1', tenant_id: 'p1' });
    expect((await fetch(`${base}/v2.0/agents/nope/l3-routers`)).status).toBe(404);
  });

  it('GET /v1/hosts/{host}/l3/watch streams a snapshot, then each change', async () => {
    const docs = await readEvents(`${base}/v1/hosts/net1/l3/watch`, 2, async () => {
      await driver.createRouters(['r3']);
      await runtime.settle();
    });
    expect(docs[0]).toMatchObject({ resync: true, since: null });
    expect(docs[1]).toMatchObject({ resync: false, since: docs[0].revision });
    expect(Object.keys(docs[1].routers)).toEqual(['r3']);
    const local = applyL3Changes(applyL3Changes(null, docs[0]), docs[1]);
    expect(local).toEqual(await json(fetch(`${base}/v1/hosts/net1/l3`)));
  });
});
