/**
 * Embedded mode's operations endpoints, on the real process (`npm start`): the
 * readiness of every runner tailing the store in it (both projectors and the
 * scheduler) and their lag in the metrics, as the README's "Health, metrics,
 * logs, shutdown" promises for every process.
 */
import { freePort } from '../distributed/support/processes';
import { client, removeDir, spawnControlPlane, type ControlPlaneProcess } from '../support/control-plane';

let cp: ControlPlaneProcess;

beforeAll(async () => {
  cp = await spawnControlPlane({ env: { CP_L2_HOT_ROWS: '123456' } });
});
afterAll(async () => {
  await cp.kill();
  removeDir(cp.dataDir);
});

test('is ready once every in-process runner has caught up, and says so per runner', async () => {
  const api = client(cp.url);
  expect((await api.post('/v2.0/networks', { network: { name: 'n1' } })).status).toBe(201);
  // The runners follow the commit asynchronously: wait until each reports no lag.
  let ready = await api.get('/readyz');
  for (
    let i = 0;
    i < 100 && Object.values(ready.body!.checks as Record<string, { detail?: { lag?: number } }>).some((c) => c.detail?.lag);
    i++
  ) {
    await new Promise((r) => setTimeout(r, 50));
    ready = await api.get('/readyz');
  }
  const { status, body } = ready;
  expect(status).toBe(200);
  expect(body).toMatchObject({ status: 'ready', service: 'api' });
  const checks = body!.checks as Record<string, { ok: boolean; critical: boolean; detail?: { lag?: number } }>;
  expect(Object.keys(checks).sort()).toEqual([
    'event-store',
    'projector:dhcp',
    'projector:l2pop',
    'projector:l3',
    'scheduler:l3-scheduler',
  ]);
  for (const name of ['projector:dhcp', 'projector:l2pop', 'projector:l3', 'scheduler:l3-scheduler']) {
    expect(checks[name]).toMatchObject({ ok: true, critical: true, detail: { lag: 0 } });
  }
});

test('exports each runner’s lag and applied events', async () => {
  const text = await (await fetch(`${cp.url}/metrics`)).text();
  for (const projection of ['l2pop', 'l3', 'l3-scheduler']) {
    expect(text).toMatch(new RegExp(`^controlplane_projector_lag_events\\{projection="${projection}",partition="all"\\} 0$`, 'm'));
  }
  expect(text).toMatch(/^controlplane_projector_applied_events_total\{projection="l2pop",partition="all"\} \d+$/m);
  // The L2 projection's state in memory, bounded by CP_L2_HOT_ROWS.
  expect(text).toMatch(/^controlplane_l2pop_hot_state_max_rows 123456$/m);
  expect(text).toMatch(/^controlplane_l2pop_hot_state_reads_total\{result="miss"\} \d+$/m);
});

test('serves the operations endpoints on an address of their own when told, and not on the API port', async () => {
  const opsPort = await freePort();
  const other = await spawnControlPlane({ env: { CP_OPS_PORT: String(opsPort), CP_OPS_HOST: '127.0.0.1' } });
  try {
    for (const path of ['/metrics', '/readyz', '/healthz']) expect((await fetch(`${other.url}${path}`)).status).toBe(404);
    expect((await fetch(`${other.url}/v2.0/networks`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${opsPort}/healthz`)).json()).toMatchObject({ status: 'ok', service: 'api' });
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text()).toMatch(/^controlplane_projector_lag_events/m);
  } finally {
    await other.kill();
    removeDir(other.dataDir);
  }
});

test('a split-brain is an alarm an operator sees: an event, a gauge and one warn line in the log', async () => {
  const api = client(cp.url);
  for (const host of ['sb-1', 'sb-2']) {
    expect(
      (await api.put(`/v1/agents/${encodeURIComponent('L3 agent')}/${host}`, { configurations: { agent_mode: 'legacy' } })).status,
    ).toBe(200);
  }
  const router = (await api.post('/v2.0/routers', { router: { name: 'sb', ha: true } })).body!.router as { id: string };
  const until = async (probe: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await probe()); i++) await new Promise((r) => setTimeout(r, 50));
  };
  await until(async () => ((await api.get(`/v2.0/routers/${router.id}/l3-agents`)).body!.agents as unknown[]).length === 2);
  for (const host of ['sb-1', 'sb-2']) {
    expect((await api.put(`/v1/hosts/${host}/ha_states`, { states: { [router.id]: 'active' } })).status).toBe(200);
  }
  const metrics = () => fetch(`${cp.url}/metrics`).then((r) => r.text());
  await until(async () => /^controlplane_l3_split_brain_routers 1$/m.test(await metrics()));
  const text = await metrics();
  expect(text).toMatch(/^controlplane_l3_split_brain_routers 1$/m);
  expect(text).toMatch(/^controlplane_l3_agents\{state="alive"\} 2$/m);
  expect(text).toMatch(/^controlplane_l3_pending_routers 0$/m);
  expect(cp.output()).toContain(`split-brain: router ${router.id} is active on sb-1, sb-2; sb-1 stays active`);
  const events = (await api.get('/v1/events?type=RouterSplitBrainDetected')).body!.events as Array<{ data: { routerId: string } }>;
  expect(events.map((e) => e.data.routerId)).toEqual([router.id]);
});

test('writes one line for each agent and router state change an operator acts on', async () => {
  // Its own process: agents die after 1 s without a heartbeat, and info lines are written.
  const quick = await spawnControlPlane({ env: { CP_AGENT_DOWN_TIME: '1', CP_LOG_LEVEL: 'info' } });
  try {
    const api = client(quick.url);
    const l3 = (await api.put(`/v1/agents/${encodeURIComponent('L3 agent')}/lonely`, { configurations: { agent_mode: 'legacy' } })).body!
      .agent as { id: string };
    const router = (await api.post('/v2.0/routers', { router: { name: 'r', ha: true } })).body!.router as { id: string };
    const lines = () => quick.output();
    for (let i = 0; i < 100 && !lines().includes(`agent dead: L3 agent on lonely`); i++) await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 50 && !lines().includes(`router ${router.id} removed from lonely: agent_dead`); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(lines()).toContain(`agent registered: L3 agent on lonely (${l3.id})`);
    expect(lines()).toContain(`router ${router.id} scheduled to lonely (after RouterCreated)`);
    expect(lines()).toMatch(new RegExp(`router ${router.id} pending: .*at least 2 alive L3 agent`));
    expect(lines()).toContain(`agent dead: L3 agent on lonely (${l3.id})`);
    expect(lines()).toContain(`router ${router.id} removed from lonely: agent_dead`);
    // A client's mistake is not a warning.
    expect((await api.get('/v2.0/networks/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    await new Promise((r) => setTimeout(r, 100));
    const notFound = lines()
      .split('\n')
      .filter((l) => l.includes('"status":404'));
    expect(notFound.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['info']);
  } finally {
    await quick.kill();
    removeDir(quick.dataDir);
  }
});
