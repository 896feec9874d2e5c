import { startInProcess } from '../support/control-plane';

type Plane = Awaited<ReturnType<typeof startInProcess>>;
let cp: Plane;

beforeAll(async () => {
  cp = await startInProcess();
});
afterAll(async () => cp.close());

describe('networks over HTTP', () => {
  it('creates, shows, lists, updates and deletes a network', async () => {
    const created = await cp.api.post('/v2.0/networks', { network: { name: 'private', admin_state_up: true } });
    expect(created.status).toBe(201);
    const net = created.body!.network;
    expect(net).toMatchObject({ name: 'private', status: 'ACTIVE', 'provider:network_type': 'vxlan', shared: false, subnets: [] });
    expect(created.headers.get('x-openstack-request-id')).toMatch(/^req-/);

    const shown = await cp.api.get(`/v2.0/networks/${net.id}`);
    expect(shown.body!.network).toEqual(net);

    // The openstack CLI sends `--mtu 1400` as the string "1400"; Neutron converts it (convert_to_int).
    const updated = await cp.api.put(`/v2.0/networks/${net.id}`, { network: { name: 'renamed', mtu: '1400' } });
    expect(updated.status).toBe(200);
    expect(updated.body!.network).toMatchObject({ name: 'renamed', mtu: 1400, revision_number: 2 });

    const listed = await cp.api.get('/v2.0/networks?name=renamed&fields=id&fields=name');
    expect(listed.body).toEqual({ networks: [{ id: net.id, name: 'renamed' }] });

    expect((await cp.api.del(`/v2.0/networks/${net.id}`)).status).toBe(204);
    expect((await cp.api.get(`/v2.0/networks/${net.id}`)).status).toBe(404);
  });

  it('allocates distinct VNIs and refuses a VNI already taken', async () => {
    const a = (await cp.api.post('/v2.0/networks', { network: { name: 'a' } })).body!.network;
    const b = (await cp.api.post('/v2.0/networks', { network: { name: 'b' } })).body!.network;
    expect(a['provider:segmentation_id']).not.toEqual(b['provider:segmentation_id']);
    const before = await cp.head();
    const dup = await cp.api.post('/v2.0/networks', {
      network: { name: 'c', 'provider:network_type': 'vxlan', 'provider:segmentation_id': a['provider:segmentation_id'] },
    });
    expect(dup.status).toBe(409);
    expect(dup.body!.NeutronError.type).toBe('SegmentationIdInUse');
    expect(await cp.head()).toBe(before);
  });

  it('filters lists, sorts and paginates like Neutron', async () => {
    for (const name of ['page-1', 'page-2', 'page-3']) await cp.api.post('/v2.0/networks', { network: { name, admin_state_up: false } });
    const down = await cp.api.get('/v2.0/networks?admin_state_up=false&sort_key=name&sort_dir=desc');
    expect(down.body!.networks.map((n: { name: string }) => n.name)).toEqual(['page-3', 'page-2', 'page-1']);
    const page = await cp.api.get('/v2.0/networks?admin_state_up=false&sort_key=name&limit=2');
    expect(page.body!.networks).toHaveLength(2);
    expect(page.body!.networks_links.map((l: { rel: string }) => l.rel)).toEqual(['next', 'previous']);
    // Absolute, keeping the filters and sort, as Neutron's links are: clients request the href as given.
    const next = new URL(page.body!.networks_links[0].href as string);
    expect(`${next.origin}${next.pathname}`).toBe(`${cp.url}/v2.0/networks`);
    expect(Object.fromEntries(next.searchParams)).toEqual({
      admin_state_up: 'false',
      sort_key: 'name',
      limit: '2',
      marker: page.body!.networks[1].id,
    });
    type Page = { networks: Array<{ name: string }>; networks_links: Array<{ rel: string; href: string }> };
    const rest = (await (await fetch(next)).json()) as Page;
    expect(rest.networks.map((n) => n.name)).toEqual(['page-3']);
    // A short page is the last: no `next`, but a `previous` (page_reverse) leading back.
    expect(rest.networks_links.map((l) => l.rel)).toEqual(['previous']);
    const back = (await (await fetch(rest.networks_links[0].href)).json()) as Page;
    expect(new URL(rest.networks_links[0].href).searchParams.get('page_reverse')).toBe('True');
    expect(back.networks.map((n) => n.name)).toEqual(['page-1', 'page-2']);
    const last = await cp.api.get('/v2.0/networks?admin_state_up=false&sort_key=name&limit=2&page_reverse=True');
    expect(last.body!.networks.map((n: { name: string }) => n.name)).toEqual(['page-2', 'page-3']);
    // A full page always has a `next`; past the end comes an empty page whose `previous` starts from the end.
    const all = await cp.api.get('/v2.0/networks?admin_state_up=false&sort_key=name&limit=3');
    const beyond = (await (await fetch(all.body!.networks_links[0].href as string)).json()) as Page;
    expect(beyond.networks).toEqual([]);
    expect(beyond.networks_links.map((l) => l.rel)).toEqual(['previous']);
    const fromEnd = (await (await fetch(beyond.networks_links[0].href)).json()) as Page;
    expect(fromEnd.networks.map((n) => n.name)).toEqual(['page-1', 'page-2', 'page-3']);
    const bad = await cp.api.get('/v2.0/networks?colour=blue');
    expect(bad.status).toBe(400);
    expect(bad.body!.NeutronError.message).toMatch(/colour/);
  });
});

describe('projects', () => {
  it("hides one project's networks from another and forbids acting for it", async () => {
    const alice = cp.api.as('alice');
    const bob = cp.api.as('bob');
    const mine = (await alice.post('/v2.0/networks', { network: { name: 'alice-net' } })).body!.network;
    expect(mine.project_id).toBe('alice');
    expect((await bob.get('/v2.0/networks')).body!.networks.map((n: { id: string }) => n.id)).not.toContain(mine.id);
    const before = await cp.head();
    expect((await bob.get(`/v2.0/networks/${mine.id}`)).status).toBe(404);
    expect((await bob.put(`/v2.0/networks/${mine.id}`, { network: { name: 'x' } })).status).toBe(404);
    expect((await bob.del(`/v2.0/networks/${mine.id}`)).status).toBe(404);
    // Neutron refuses a non-admin naming another project before any policy, with a 400.
    const forged = await bob.post('/v2.0/networks', { network: { name: 'x', project_id: 'alice' } });
    expect(forged.status).toBe(400);
    expect(forged.body!.NeutronError.message).toMatch(/other than the authenticated project in request requires admin/);
    const provider = await bob.post('/v2.0/networks', { network: { 'provider:network_type': 'vlan' } });
    expect(provider.status).toBe(403);
    expect(await cp.head()).toBe(before);
  });

  it('lets a shared network be seen but not changed by other projects', async () => {
    const shared = (await cp.api.post('/v2.0/networks', { network: { name: 'public', shared: true } })).body!.network;
    const bob = cp.api.as('bob');
    expect((await bob.get(`/v2.0/networks/${shared.id}`)).status).toBe(200);
    expect((await bob.put(`/v2.0/networks/${shared.id}`, { network: { name: 'mine' } })).status).toBe(403);
  });
});

describe('bad input changes nothing', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['malformed JSON', '{"network": {"name": ', 400, /Malformed/],
    ['unknown attribute', '{"network": {"name": "x", "colour": "red"}}', 400, /Unrecognized attribute\(s\) 'colour'/],
    ['wrong type', '{"network": {"admin_state_up": "maybe"}}', 400, /admin_state_up/],
    ['missing resource key', '{"net": {}}', 400, /network/],
    ['MTU out of range', '{"network": {"mtu": 10}}', 400, /mtu/],
    ['MTU not an integer', '{"network": {"mtu": "14x0"}}', 400, /mtu.*not an integer/],
    ['MTU above what a tunnel carries', '{"network": {"mtu": 1451}}', 400, /Requested MTU is too big, maximum is 1450/],
    ['vlan without physnet', '{"network": {"provider:network_type": "vlan", "provider:segmentation_id": 10}}', 400, /physical_network/],
  ];
  it.each(cases)('%s', async (_name, raw, status, message) => {
    const before = await cp.head();
    const res = await cp.api.raw('POST', '/v2.0/networks', raw);
    expect(res.status).toBe(status);
    expect(res.body!.NeutronError.message).toMatch(message);
    expect(await cp.head()).toBe(before);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const before = await cp.head();
    const res = await cp.api.raw('POST', '/v2.0/networks', JSON.stringify({ network: { name: 'x'.repeat(1_100_000) } }));
    expect(res.status).toBe(413);
    expect(res.body!.NeutronError.type).toBe('RequestEntityTooLarge');
    expect(await cp.head()).toBe(before);
  });

  it('answers an unknown network id with 404 NetworkNotFound', async () => {
    const res = await cp.api.get('/v2.0/networks/6d9c2b1e-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body!.NeutronError).toEqual({
      type: 'NetworkNotFound',
      message: 'Network 6d9c2b1e-0000-4000-8000-000000000000 could not be found.',
      detail: '',
    });
  });
});

describe('audit', () => {
  it('records who changed what through which request, filterable and scoped', async () => {
    const alice = cp.api.as('alice');
    const res = await alice.post('/v2.0/networks', { network: { name: 'audited' } });
    const requestId = res.headers.get('x-openstack-request-id')!;
    const byRequest = await cp.api.get(`/v1/events?request_id=${requestId}`);
    expect(byRequest.body!.events).toHaveLength(1);
    expect(byRequest.body!.events[0]).toMatchObject({
      type: 'NetworkCreated',
      resource_type: 'network',
      resource_id: res.body!.network.id,
      project_id: 'alice',
      actor: 'project:alice',
      request_id: requestId,
    });
    const bobSees = await cp.api.as('bob').get(`/v1/events?request_id=${requestId}`);
    expect(bobSees.body!.events).toHaveLength(0);
    const paged = await cp.api.get('/v1/events?limit=1');
    expect(paged.body!.next).toMatch(/after=\d+/);
    expect((await cp.api.get('/v1/events?bogus=1')).status).toBe(400);
  });
});
