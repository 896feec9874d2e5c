import { startInProcess, type Json } from '../support/control-plane';

/*
 * Neutron's standard-attr-tag: tags on networks, subnets, ports, routers and security groups,
 * set whole or one at a time by whoever may change the resource, recorded as events, and filtered on.
 */
type Plane = Awaited<ReturnType<typeof startInProcess>>;
let cp: Plane;

beforeAll(async () => {
  cp = await startInProcess();
});
afterAll(async () => cp.close());

describe('tags', () => {
  it('replaces, adds, checks, removes and clears the tags of a network, bumping its revision', async () => {
    const alice = cp.api.as('t-alice');
    const net = (await alice.post('/v2.0/networks', { network: { name: 'tagged' } })).body!.network;
    const path = `/v2.0/networks/${net.id}/tags`;
    const set = await alice.put(path, { tags: ['red', 'blue', 'red'] });
    expect([set.status, set.body]).toEqual([200, { tags: ['blue', 'red'] }]);
    expect((await alice.put(`${path}/green`)).status).toBe(201);
    expect((await alice.get(path)).body).toEqual({ tags: ['blue', 'green', 'red'] });
    expect((await alice.get(`${path}/green`)).status).toBe(204);
    const missing = await alice.get(`${path}/purple`);
    expect([missing.status, missing.body!.NeutronError.type]).toEqual([404, 'TagNotFound']);
    expect((await alice.del(`${path}/red`)).status).toBe(204);
    const shown = (await alice.get(`/v2.0/networks/${net.id}`)).body!.network;
    expect(shown.tags).toEqual(['blue', 'green']);
    expect(shown.revision_number).toBeGreaterThan(net.revision_number);
    expect((await alice.del(path)).status).toBe(204);
    expect((await alice.get(path)).body).toEqual({ tags: [] });
    const events = (await cp.api.get(`/v1/events?resource_id=${net.id}`)).body!.events as Json[];
    expect(events.filter((e) => e.type === 'ResourceTagsSet')).toHaveLength(4);
  });

  it('tags subnets, ports, routers and security groups too', async () => {
    const net = (await cp.api.post('/v2.0/networks', { network: { name: 'n' } })).body!.network;
    const subnet = (await cp.api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.40.0.0/24', ip_version: 4 } })).body!
      .subnet;
    const port = (await cp.api.post('/v2.0/ports', { port: { network_id: net.id } })).body!.port;
    const router = (await cp.api.post('/v2.0/routers', { router: { name: 'r' } })).body!.router;
    const sg = (await cp.api.post('/v2.0/security-groups', { security_group: { name: 'g' } })).body!.security_group;
    for (const [collection, id, key] of [
      ['subnets', subnet.id, 'subnet'],
      ['ports', port.id, 'port'],
      ['routers', router.id, 'router'],
      ['security-groups', sg.id, 'security_group'],
    ] as const) {
      expect((await cp.api.put(`/v2.0/${collection}/${id}/tags`, { tags: ['x'] })).status).toBe(200);
      expect((await cp.api.get(`/v2.0/${collection}/${id}`)).body![key].tags).toEqual(['x']);
    }
  });

  it('filters lists with tags, tags-any, not-tags and not-tags-any', async () => {
    const bob = cp.api.as('t-bob');
    const made: string[] = [];
    for (const tags of [['red'], ['red', 'blue'], ['red', 'blue', 'green'], ['green'], []]) {
      const net = (await bob.post('/v2.0/networks', { network: { name: 'f' } })).body!.network;
      await bob.put(`/v2.0/networks/${net.id}/tags`, { tags });
      made.push(net.id);
    }
    const which = async (q: string) => {
      const ids = ((await bob.get(`/v2.0/networks?${q}`)).body!.networks as Json[]).map((n) => n.id);
      return made.flatMap((id, i) => (ids.includes(id) ? [i] : []));
    };
    expect(await which('tags=red')).toEqual([0, 1, 2]);
    expect(await which('tags=red,blue')).toEqual([1, 2]);
    expect(await which('tags-any=red,blue')).toEqual([0, 1, 2]);
    expect(await which('not-tags=red,blue')).toEqual([0, 3, 4]);
    expect(await which('not-tags-any=red,blue')).toEqual([3, 4]);
  });

  it("keeps another project's resources hidden and unchangeable, and refuses bad tags with 400", async () => {
    const net = (await cp.api.as('t-owner').post('/v2.0/networks', { network: { name: 'mine' } })).body!.network;
    const path = `/v2.0/networks/${net.id}/tags`;
    expect((await cp.api.as('t-other').put(path, { tags: ['x'] })).status).toBe(404);
    expect((await cp.api.as('t-owner', 'reader').put(path, { tags: ['x'] })).status).toBe(403);
    const before = await cp.head();
    for (const bad of [{ tags: ['a,b'] }, { tags: 'red' }, { tags: ['x'.repeat(256)] }, { colour: ['x'] }]) {
      expect((await cp.api.put(path, bad)).status).toBe(400);
    }
    expect((await cp.api.put(`${path}/a,b`)).status).toBe(400);
    expect(await cp.head()).toBe(before);
  });
});
