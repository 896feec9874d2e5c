/**
 * noauth, the embedded demo's mode: callers are who their headers say, so it is labelled at
 * start, serves loopback only, and even then a project member's headers never make it an agent.
 */
import { removeDir, spawnControlPlane, startInProcess } from '../support/control-plane';

describe('noauth is for loopback', () => {
  it('says so at start-up', async () => {
    const cp = await spawnControlPlane();
    try {
      expect(cp.output()).toContain('authentication: NOAUTH (demo only)');
    } finally {
      await cp.kill();
      removeDir(cp.dataDir);
    }
  });

  it('refuses to start on a non-loopback address, saying what to do instead', async () => {
    await expect(spawnControlPlane({ env: { CP_HOST: '0.0.0.0' } })).rejects.toThrow(
      /refusing to serve noauth on 0\.0\.0\.0.*CP_AUTH_STRATEGY=keystone/s,
    );
  });

  it('refuses a Keystone mode without its URL or password, naming the setting', async () => {
    await expect(spawnControlPlane({ env: { CP_AUTH_STRATEGY: 'keystone' } })).rejects.toThrow(/CP_KEYSTONE_URL/);
    await expect(spawnControlPlane({ env: { CP_AUTH_STRATEGY: 'keystone', CP_KEYSTONE_URL: 'http://127.0.0.1:1/v3' } })).rejects.toThrow(
      /CP_KEYSTONE_PASSWORD/,
    );
  });
});

describe('even in noauth, a project member is no agent', () => {
  let cp: Awaited<ReturnType<typeof startInProcess>>;
  beforeAll(async () => {
    cp = await startInProcess();
    expect((await cp.api.put('/v1/agents/Open%20vSwitch%20agent/compute-1', { tunnel_ip: '192.0.2.1' })).status).toBe(200);
  });
  afterAll(() => cp.close());

  it.each([
    ['re-points another host’s tunnel', 'PUT', '/v1/agents/Open%20vSwitch%20agent/compute-1', { tunnel_ip: '192.0.2.66' }],
    ['registers a fake L3 agent', 'PUT', '/v1/agents/L3%20agent/evil', {}],
    ['reports HA state', 'PUT', '/v1/hosts/net1/routers/r1/ha_state', { state: 'active' }],
    ['reads a host’s L2 document', 'GET', '/v1/hosts/compute-1/l2', undefined],
    ['reads a host’s L3 document', 'GET', '/v1/hosts/compute-1/l3', undefined],
    ['reports a port up', 'POST', '/v1/hosts/compute-1/ports/p1/up', undefined],
  ])('refuses a member who %s, appending nothing', async (_what, method, path, body) => {
    const head = await cp.head();
    const member = cp.api.as('project-b', 'member');
    const res = method === 'GET' ? await member.get(path) : method === 'PUT' ? await member.put(path, body) : await member.post(path, body);
    expect({ status: res.status, type: res.body?.NeutronError?.type }).toEqual({ status: 403, type: 'PolicyNotAuthorized' });
    expect(await cp.head()).toBe(head);
  });
});
