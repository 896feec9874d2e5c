import { startInProcess, type Json } from '../support/control-plane';

/*
 * Neutron's quotas: per-project limits with defaults from the settings, set by admins (as
 * events, in the audit log), enforced on every create through the API with 409 OverQuota.
 */
type Plane = Awaited<ReturnType<typeof startInProcess>>;
let cp: Plane;

beforeAll(async () => {
  // A small default makes the limit reachable; the others keep Neutron's.
  cp = await startInProcess({ CP_QUOTA_ROUTER: '3' });
});
afterAll(async () => cp.close());

const NEUTRON_DEFAULTS = {
  network: 100,
  subnet: 100,
  port: 500,
  router: 3,
  floatingip: 50,
  security_group: 10,
  security_group_rule: 100,
  rbac_policy: 10,
  subnetpool: -1,
};
const setQuota = (project: string, quota: Json) => cp.api.put(`/v2.0/quotas/${project}`, { quota });

describe('reading quotas', () => {
  it('shows a project its own limits, the defaults until an admin sets some', async () => {
    const mine = await cp.api.as('q-read', 'reader').get('/v2.0/quotas/q-read');
    expect(mine.status).toBe(200);
    expect(mine.body!.quota).toEqual(NEUTRON_DEFAULTS);
    expect((await cp.api.as('q-read').get('/v2.0/quotas/q-read/default')).body!.quota).toEqual(NEUTRON_DEFAULTS);
    expect((await cp.api.as('q-read').get('/v2.0/quotas/project')).body).toEqual({ project: { project_id: 'q-read' } });
  });

  it("keeps another project's limits, the list and every change to admins (403)", async () => {
    const member = cp.api.as('q-nosy');
    for (const res of [
      await member.get('/v2.0/quotas/q-other'),
      await member.get('/v2.0/quotas'),
      await member.put('/v2.0/quotas/q-nosy', { quota: { network: 1000 } }),
      await member.del('/v2.0/quotas/q-nosy'),
    ]) {
      expect(res.status).toBe(403);
    }
    expect((await member.get('/v2.0/quotas/q-nosy')).body!.quota.network).toBe(100);
  });

  it('details the limit and the usage of each resource, also under the .json suffix openstacksdk uses', async () => {
    const bob = cp.api.as('q-details');
    const net = (await bob.post('/v2.0/networks', { network: { name: 'n' } })).body!.network;
    await bob.post('/v2.0/ports', { port: { network_id: net.id } });
    const details = (await bob.get('/v2.0/quotas/q-details/details.json')).body!.quota;
    expect(details.network).toEqual({ limit: 100, used: 1, reserved: 0 });
    // The port brought the project's default group (and its four rules) with it, counted as Neutron counts them.
    expect(details.port.used).toBe(1);
    expect(details.security_group.used).toBe(1);
    expect(details.security_group_rule.used).toBe(4);
  });
});

describe('setting quotas', () => {
  it('sets, lists and resets limits, each change an event in the audit log', async () => {
    const set = await setQuota('q-admin', { network: '5', port: -1 });
    expect(set.status).toBe(200);
    expect(set.body!.quota).toEqual({ ...NEUTRON_DEFAULTS, network: 5, port: -1 });
    expect((await cp.api.get('/v2.0/quotas/q-admin')).body!.quota.network).toBe(5);
    const listed = (await cp.api.get('/v2.0/quotas')).body!.quotas as Json[];
    expect(listed.find((q) => q.project_id === 'q-admin')).toMatchObject({ network: 5, port: -1, tenant_id: 'q-admin' });

    const events = (await cp.api.get(`/v1/events?request_id=${set.headers.get('x-openstack-request-id')}`)).body!.events;
    expect(events).toEqual([
      expect.objectContaining({ type: 'QuotaLimitsSet', resource_type: 'quota', resource_id: 'q-admin', actor: expect.any(String) }),
    ]);

    expect((await cp.api.del('/v2.0/quotas/q-admin')).status).toBe(204);
    expect((await cp.api.get('/v2.0/quotas/q-admin')).body!.quota).toEqual(NEUTRON_DEFAULTS);
    const again = await cp.api.del('/v2.0/quotas/q-admin');
    expect([again.status, again.body!.NeutronError.type]).toEqual([404, 'TenantQuotaNotFound']);
  });

  it('refuses a limit below what the project uses when asked to check (check_limit), and sets it otherwise', async () => {
    const carol = cp.api.as('q-usage');
    await carol.post('/v2.0/networks', { network: { name: 'a' } });
    await carol.post('/v2.0/networks', { network: { name: 'b' } });
    const refused = await setQuota('q-usage', { network: 1, check_limit: true });
    expect(refused.status).toBe(400);
    expect(refused.body!.NeutronError.message).toBe('Quota limit 1 for network must be greater than or equal to already used 2');
    expect((await cp.api.get('/v2.0/quotas/q-usage')).body!.quota.network).toBe(100);
    expect((await setQuota('q-usage', { network: 1 })).body!.quota.network).toBe(1);
    // Below usage the project keeps what it has and makes no more.
    expect((await carol.post('/v2.0/networks', { network: { name: 'c' } })).body!.NeutronError.type).toBe('OverQuota');
  });

  it.each([
    ['an unknown resource', { volumes: 3 }, /Unrecognized attribute\(s\) 'volumes'/],
    ['a limit below -1', { network: -2 }, /network/],
    ['a limit that is not a number', { network: 'lots' }, /network/],
  ])('refuses %s with 400 and changes nothing', async (_what, quota, message) => {
    const before = await cp.head();
    const res = await setQuota('q-bad', quota);
    expect(res.status).toBe(400);
    expect(res.body!.NeutronError.message).toMatch(message);
    expect(await cp.head()).toBe(before);
  });
});

describe('enforcing quotas', () => {
  it('refuses the create that would pass the limit with 409 OverQuota, leaving the project as it was', async () => {
    await setQuota('q-full', { network: 2 });
    const dave = cp.api.as('q-full');
    expect((await dave.post('/v2.0/networks', { network: { name: 'one' } })).status).toBe(201);
    expect((await dave.post('/v2.0/networks', { network: { name: 'two' } })).status).toBe(201);
    const before = await cp.head();
    const over = await dave.post('/v2.0/networks', { network: { name: 'three' } });
    expect(over.status).toBe(409);
    expect(over.body!.NeutronError).toMatchObject({ type: 'OverQuota', message: "Quota exceeded for resources: ['network']." });
    expect(await cp.head()).toBe(before);
    // Another project is not affected; raising the limit lets the create through.
    expect((await cp.api.as('q-free').post('/v2.0/networks', { network: { name: 'three' } })).status).toBe(201);
    await setQuota('q-full', { network: 3 });
    expect((await dave.post('/v2.0/networks', { network: { name: 'three' } })).status).toBe(201);
  });

  it('counts a bulk create as a whole: all of it, or none when it would pass the limit', async () => {
    await setQuota('q-bulk', { port: 3 });
    const erin = cp.api.as('q-bulk');
    const net = (await erin.post('/v2.0/networks', { network: { name: 'n' } })).body!.network;
    const four = Array.from({ length: 4 }, () => ({ network_id: net.id }));
    const refused = await erin.post('/v2.0/ports', { ports: four });
    expect([refused.status, refused.body!.NeutronError.type]).toEqual([409, 'OverQuota']);
    expect((await erin.get(`/v2.0/ports?network_id=${net.id}`)).body!.ports).toHaveLength(0);
    expect((await erin.post('/v2.0/ports', { ports: four.slice(1) })).status).toBe(201);
  });

  it('applies the default limits from the settings, and to each kind of resource', async () => {
    const frank = cp.api.as('q-routers');
    for (let i = 0; i < 3; i++) expect((await frank.post('/v2.0/routers', { router: { name: `r${i}` } })).status).toBe(201);
    expect((await frank.post('/v2.0/routers', { router: { name: 'r3' } })).body!.NeutronError.message).toBe(
      "Quota exceeded for resources: ['router'].",
    );

    await setQuota('q-kinds', { security_group: 3, security_group_rule: 7, subnet: 1 });
    const gina = cp.api.as('q-kinds');
    // The default group is the first of the three; a group's two egress rules count too.
    const sg = (await gina.post('/v2.0/security-groups', { security_group: { name: 'web' } })).body!.security_group;
    const rules = { security_group_rule: { security_group_id: sg.id, direction: 'ingress' } };
    // Four rules of the default group and two of `web` make 6 of 7: one more rule, then no more.
    expect((await gina.post('/v2.0/security-group-rules', rules)).status).toBe(201);
    const rule = await gina.post('/v2.0/security-group-rules', { security_group_rule: { ...rules.security_group_rule, protocol: 'tcp' } });
    expect(rule.body!.NeutronError.message).toBe("Quota exceeded for resources: ['security_group_rule'].");
    // A third group would fit the group quota, but not its two egress rules.
    const db = await gina.post('/v2.0/security-groups', { security_group: { name: 'db' } });
    expect(db.body!.NeutronError.message).toBe("Quota exceeded for resources: ['security_group_rule'].");
    const net = (await gina.post('/v2.0/networks', { network: { name: 'n' } })).body!.network;
    const subnet = (cidr: string) => gina.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr, ip_version: 4 } });
    expect((await subnet('10.1.0.0/24')).status).toBe(201);
    expect((await subnet('10.2.0.0/24')).body!.NeutronError.type).toBe('OverQuota');
  });
});
