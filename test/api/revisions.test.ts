import { startInProcess } from '../support/control-plane';

/*
 * Neutron's revisions extension: every resource starts at revision 1 and each change adds one;
 * `If-Match: revision_number=N` makes an update or delete conditional (412 when the resource has moved on).
 */
type Plane = Awaited<ReturnType<typeof startInProcess>>;
let cp: Plane;

beforeAll(async () => {
  cp = await startInProcess();
});
afterAll(async () => cp.close());

const ifMatch = (n: number | string) => cp.api.with({ 'If-Match': `revision_number=${n}` });

describe('revision numbers', () => {
  it('start at 1 and grow by one with each change, also when a child changes the parent', async () => {
    const net = (await cp.api.post('/v2.0/networks', { network: { name: 'rev' } })).body!.network;
    expect(net.revision_number).toBe(1);
    await cp.api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.9.0.0/24', ip_version: 4 } });
    expect((await cp.api.get(`/v2.0/networks/${net.id}`)).body!.network.revision_number).toBe(2);
    const port = (await cp.api.post('/v2.0/ports', { port: { network_id: net.id } })).body!.port;
    expect(port.revision_number).toBe(1);
  });
});

describe('If-Match: revision_number=N', () => {
  it('applies an update made against the current revision and refuses a stale one with 412, changing nothing', async () => {
    const net = (await cp.api.post('/v2.0/networks', { network: { name: 'a' } })).body!.network;
    const ok = await ifMatch(1).put(`/v2.0/networks/${net.id}`, { network: { name: 'b' } });
    expect(ok.status).toBe(200);
    expect(ok.body!.network).toMatchObject({ name: 'b', revision_number: 2 });

    const stale = await ifMatch(1).put(`/v2.0/networks/${net.id}`, { network: { name: 'c' } });
    expect(stale.status).toBe(412);
    expect(stale.body!.NeutronError).toMatchObject({
      type: 'RevisionNumberConstraintFailed',
      message: 'Constrained to 1, but current revision is 2',
    });
    expect((await cp.api.get(`/v2.0/networks/${net.id}`)).body!.network).toMatchObject({ name: 'b', revision_number: 2 });
  });

  it('makes deletes conditional too, for ports, subnets, security groups and routers', async () => {
    const net = (await cp.api.post('/v2.0/networks', { network: { name: 'd' } })).body!.network;
    const subnet = (await cp.api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.8.0.0/24', ip_version: 4 } })).body!
      .subnet;
    const port = (await cp.api.post('/v2.0/ports', { port: { network_id: net.id } })).body!.port;
    const sg = (await cp.api.post('/v2.0/security-groups', { security_group: { name: 'd' } })).body!.security_group;
    const router = (await cp.api.post('/v2.0/routers', { router: { name: 'd' } })).body!.router;
    const cases: Array<[string, number]> = [
      [`/v2.0/ports/${port.id}`, port.revision_number],
      [`/v2.0/security-groups/${sg.id}`, sg.revision_number],
      [`/v2.0/routers/${router.id}`, router.revision_number],
      [`/v2.0/subnets/${subnet.id}`, (await cp.api.get(`/v2.0/subnets/${subnet.id}`)).body!.subnet.revision_number],
    ];
    for (const [path, revision] of cases) {
      const refused = await ifMatch(revision + 5).del(path);
      expect([path, refused.status, refused.body!.NeutronError.type]).toEqual([path, 412, 'RevisionNumberConstraintFailed']);
      expect((await cp.api.get(path)).status).toBe(200);
      expect([path, (await ifMatch(revision).del(path)).status]).toEqual([path, 204]);
    }
  });

  it('ignores other entity tags and refuses a malformed or repeated revision with 400', async () => {
    const net = (await cp.api.post('/v2.0/networks', { network: { name: 'e' } })).body!.network;
    const other = await cp.api.with({ 'If-Match': '"abc"' }).put(`/v2.0/networks/${net.id}`, { network: { name: 'f' } });
    expect(other.status).toBe(200);
    const bad = await ifMatch('two').put(`/v2.0/networks/${net.id}`, { network: { name: 'g' } });
    expect([bad.status, bad.body!.NeutronError.message]).toEqual([400, 'Revision number must be an integer.']);
    const twice = await cp.api
      .with({ 'If-Match': 'revision_number=2, revision_number=3' })
      .put(`/v2.0/networks/${net.id}`, { network: { name: 'g' } });
    expect(twice.status).toBe(400);
    expect((await cp.api.get(`/v2.0/networks/${net.id}`)).body!.network.name).toBe('f');
  });
});
