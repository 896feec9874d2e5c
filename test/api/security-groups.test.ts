import { randomUUID } from 'node:crypto';
import { WRITE_INDEXES } from '@cp/write-model';
import { defaultSecurityGroupId } from '../../apps/api/src/security-groups/default-group';
import { startInProcess, type Json } from '../support/control-plane';

type Plane = Awaited<ReturnType<typeof startInProcess>>;
let cp: Plane;

beforeAll(async () => {
  cp = await startInProcess();
});
afterAll(async () => cp.close());

const ids = (items: Json[]) => items.map((i) => i.id);
const eventsAfter = async (after: number) => (await cp.api.get(`/v1/events?after=${after}`)).body!.events as Json[];

/** Expects a refusal that names the problem and moves nothing in the event store. */
async function refused(call: () => Promise<{ status: number; body: Json | null }>, status: number, type: string, message: RegExp) {
  const before = await cp.head();
  const res = await call();
  expect({ status: res.status, type: res.body?.NeutronError?.type }).toEqual({ status, type });
  expect(res.body!.NeutronError.message).toMatch(message);
  expect(await cp.head()).toBe(before);
}

/** A port using the groups, written straight to the event store (independent of the ports slice). */
async function portUsing(projectId: string, securityGroups: string[]) {
  const network = (await cp.api.as(projectId).post('/v2.0/networks', { network: { name: 'sg-test-net' } })).body!.network;
  const id = randomUUID();
  const base = { id, networkId: network.id, projectId };
  const mac = `fa:16:3e:${id.slice(0, 2)}:${id.slice(2, 4)}:${id.slice(4, 6)}`;
  const append = (type: string, data: Json) =>
    cp.running.ws.store.transaction((tx) =>
      cp.running.ws.store.append(
        [{ streamId: `port:${id}`, expectedVersion: 'any', events: [{ type, data } as never] }],
        { projectId, actor: 'test', requestId: `req-${randomUUID()}`, causationId: null, now: new Date().toISOString(), isAdmin: true },
        tx,
      ),
    );
  await append('PortCreated', {
    ...base,
    name: '',
    description: '',
    adminStateUp: true,
    deviceId: '',
    deviceOwner: '',
    fixedIps: [],
    securityGroups,
    portSecurityEnabled: true,
    allowedAddressPairs: [],
    macAddress: mac,
    vnicType: 'normal',
    hostId: '',
  });
  return {
    setGroups: (groups: string[]) => append('PortUpdated', { ...base, changes: { securityGroups: groups } }),
    remove: () => append('PortDeleted', { ...base, host: '' }),
  };
}

describe('the default security group', () => {
  it("is made on a project's first list, with Neutron's four rules, once", async () => {
    const carol = cp.api.as('carol');
    const before = await cp.head();
    const lists = await Promise.all([1, 2, 3, 4].map(() => carol.get('/v2.0/security-groups')));
    for (const l of lists) expect(l.status).toBe(200);
    // Concurrent first uses land on one stream: exactly one group with four rules is recorded.
    expect((await eventsAfter(before)).map((e) => e.type)).toEqual([
      'SecurityGroupCreated',
      'SecurityGroupRuleCreated',
      'SecurityGroupRuleCreated',
      'SecurityGroupRuleCreated',
      'SecurityGroupRuleCreated',
    ]);
    const [sg] = lists[0].body!.security_groups;
    expect(sg).toMatchObject({
      id: defaultSecurityGroupId('carol'),
      name: 'default',
      description: 'Default security group',
      tenant_id: 'carol',
      project_id: 'carol',
      stateful: true,
      shared: false,
      tags: [],
    });
    expect(sg.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const rules = sg.security_group_rules.map((r: Json) => [r.direction, r.ethertype, r.protocol, r.remote_group_id, r.remote_ip_prefix]);
    expect(rules).toEqual([
      ['ingress', 'IPv4', null, sg.id, null],
      ['egress', 'IPv4', null, null, null],
      ['ingress', 'IPv6', null, sg.id, null],
      ['egress', 'IPv6', null, null, null],
    ]);
    const listedAgain = await carol.get('/v2.0/security-groups');
    expect(listedAgain.body!.security_groups).toEqual([sg]);
    expect(await cp.head()).toBe(before + 5);
  });

  it('cannot be deleted by its project, nor renamed', async () => {
    const dave = cp.api.as('dave');
    const id = (await dave.get('/v2.0/security-groups')).body!.security_groups[0].id;
    await refused(() => dave.del(`/v2.0/security-groups/${id}`), 409, 'SecurityGroupCannotRemoveDefault', /default security group/);
    await refused(
      () => dave.put(`/v2.0/security-groups/${id}`, { security_group: { name: 'x' } }),
      409,
      'SecurityGroupCannotUpdateDefault',
      /default/,
    );
    await refused(
      () => dave.post('/v2.0/security-groups', { security_group: { name: 'Default' } }),
      409,
      'SecurityGroupDefaultAlreadyExists',
      /Default security group already exists/,
    );
  });
});

describe('security groups and rules over HTTP', () => {
  const alice = () => cp.api.as('alice');
  const rule = (sg: string, r: Json) =>
    alice().post('/v2.0/security-group-rules', {
      security_group_rule: { security_group_id: sg, direction: 'ingress', ethertype: 'IPv4', ...r },
    });
  let jump: Json;
  let web: Json;

  it('creates the jumphost and web groups of the lab, with the default group first', async () => {
    const created = await alice().post('/v2.0/security-groups', { security_group: { name: 'jumphost', description: 'SSH and ping' } });
    expect(created.status).toBe(201);
    jump = created.body!.security_group;
    expect(jump).toMatchObject({ name: 'jumphost', description: 'SSH and ping', project_id: 'alice', stateful: true, shared: false });
    expect(jump.security_group_rules.map((r: Json) => [r.direction, r.ethertype, r.remote_group_id])).toEqual([
      ['egress', 'IPv4', null],
      ['egress', 'IPv6', null],
    ]);
    web = (await alice().post('/v2.0/security-groups', { security_group: { name: 'web' } })).body!.security_group;
    const names = (await alice().get('/v2.0/security-groups?fields=name&sort_key=name')).body!.security_groups;
    expect(names).toEqual([{ name: 'default' }, { name: 'jumphost' }, { name: 'web' }]);
  });

  it('adds rules: ICMP and SSH to the jump host, HTTP and SSH from jumphost members to web', async () => {
    const icmp = await rule(jump.id, { protocol: 'icmp' });
    expect(icmp.status).toBe(201);
    expect(icmp.body!.security_group_rule).toEqual({
      id: expect.any(String),
      security_group_id: jump.id,
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: 'icmp',
      port_range_min: null,
      port_range_max: null,
      remote_ip_prefix: null,
      remote_group_id: null,
      remote_address_group_id: null,
      normalized_cidr: null,
      description: '',
      tenant_id: 'alice',
      project_id: 'alice',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      revision_number: 1,
    });
    const ssh = await rule(jump.id, { protocol: 'TCP', port_range_min: 22, port_range_max: '22', remote_ip_prefix: '0.0.0.0/0' });
    expect(ssh.body!.security_group_rule).toMatchObject({
      protocol: 'tcp',
      port_range_min: 22,
      port_range_max: 22,
      normalized_cidr: '0.0.0.0/0',
    });
    expect((await rule(web.id, { protocol: 'tcp', port_range_min: 80, port_range_max: 80 })).status).toBe(201);
    const fromJump = await rule(web.id, { protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_group_id: jump.id });
    expect(fromJump.body!.security_group_rule).toMatchObject({ remote_group_id: jump.id, remote_ip_prefix: null });

    const shown = (await alice().get(`/v2.0/security-groups/${web.id}`)).body!.security_group;
    expect(shown.security_group_rules).toHaveLength(4);
    expect(shown.revision_number).toBeGreaterThan(web.revision_number);
    const listed = await alice().get(`/v2.0/security-group-rules?security_group_id=${web.id}&direction=ingress&fields=port_range_min`);
    expect(listed.body!.security_group_rules).toEqual(expect.arrayContaining([{ port_range_min: 80 }, { port_range_min: 22 }]));
    expect(listed.body!.security_group_rules).toHaveLength(2);
    const one = await alice().get(`/v2.0/security-group-rules/${fromJump.body!.security_group_rule.id}`);
    expect(one.body!.security_group_rule).toEqual(fromJump.body!.security_group_rule);
  });

  it('refuses a duplicate rule with 409, naming the existing rule', async () => {
    const existing = (await alice().get(`/v2.0/security-group-rules?security_group_id=${web.id}&port_range_min=80`)).body!
      .security_group_rules[0];
    await refused(
      () => rule(web.id, { protocol: '6', port_range_min: 80, port_range_max: 80, description: 'again' }),
      409,
      'SecurityGroupRuleExists',
      new RegExp(existing.id),
    );
  });

  const invalid: Array<[string, Json, string, RegExp]> = [
    ['an invalid CIDR', { remote_ip_prefix: '10.0.0.0/33' }, 'InvalidCIDR', /Invalid CIDR 10\.0\.0\.0\/33/],
    [
      'a CIDR of the other family',
      { ethertype: 'IPv6', remote_ip_prefix: '10.0.0.0/8' },
      'SecurityGroupRuleParameterConflict',
      /IPv6.*10\.0\.0\.0\/8/,
    ],
    [
      'a reversed port range',
      { protocol: 'tcp', port_range_min: 90, port_range_max: 80 },
      'SecurityGroupInvalidPortRange',
      /port_range_min must be <= port_range_max/,
    ],
    ['a port out of range', { protocol: 'udp', port_range_min: 1, port_range_max: 70000 }, 'SecurityGroupInvalidPortValue', /70000/],
    ['a port range without protocol', { port_range_min: 22, port_range_max: 22 }, 'SecurityGroupProtocolRequiredWithPorts', /protocol/],
    ['an unknown protocol', { protocol: 'tcpx' }, 'SecurityGroupRuleInvalidProtocol', /protocol tcpx not supported/],
    ['a bad ICMP code', { protocol: 'icmp', port_range_min: 8, port_range_max: 300 }, 'SecurityGroupInvalidIcmpValue', /ICMP code/],
    [
      'prefix and remote group',
      { remote_ip_prefix: '10.0.0.0/8', remote_group_id: 'x' },
      'SecurityGroupRemoteGroupAndRemoteIpPrefix',
      /remote_ip_prefix or remote_group_id/,
    ],
    ['a bad direction', { direction: 'sideways' }, 'HTTPBadRequest', /direction/],
    ['a bad ethertype', { ethertype: 'IPv5' }, 'HTTPBadRequest', /ethertype/],
    ['an unknown attribute', { colour: 'red' }, 'HTTPBadRequest', /colour/],
  ];
  it.each(invalid)('refuses %s with 400 and changes nothing', async (_name, body, type, message) => {
    await refused(() => rule(web.id, body), 400, type, message);
  });

  it('refuses unknown and invisible groups with 404', async () => {
    const bobs = (await cp.api.as('bob').post('/v2.0/security-groups', { security_group: { name: 'bobs' } })).body!.security_group;
    await refused(() => rule(web.id, { remote_group_id: bobs.id }), 404, 'SecurityGroupNotFound', new RegExp(bobs.id));
    await refused(() => rule(randomUUID(), {}), 404, 'SecurityGroupNotFound', /does not exist/);
    await refused(() => alice().del(`/v2.0/security-group-rules/${randomUUID()}`), 404, 'SecurityGroupRuleNotFound', /does not exist/);
  });

  it("hides a project's groups and rules from another and forbids changing them", async () => {
    const bob = cp.api.as('bob');
    expect(ids((await bob.get('/v2.0/security-groups')).body!.security_groups)).not.toContain(web.id);
    expect((await bob.get('/v2.0/security-group-rules')).body!.security_group_rules.filter((r: Json) => r.project_id !== 'bob')).toEqual(
      [],
    );
    const aliceRule = web.security_group_rules[0].id;
    await refused(() => bob.get(`/v2.0/security-groups/${web.id}`), 404, 'SecurityGroupNotFound', new RegExp(web.id));
    await refused(
      () => bob.put(`/v2.0/security-groups/${web.id}`, { security_group: { name: 'mine' } }),
      404,
      'SecurityGroupNotFound',
      /does not exist/,
    );
    await refused(() => bob.del(`/v2.0/security-groups/${web.id}`), 404, 'SecurityGroupNotFound', /does not exist/);
    await refused(() => bob.get(`/v2.0/security-group-rules/${aliceRule}`), 404, 'SecurityGroupRuleNotFound', /does not exist/);
    await refused(() => bob.del(`/v2.0/security-group-rules/${aliceRule}`), 404, 'SecurityGroupRuleNotFound', /does not exist/);
    await refused(
      () => bob.post('/v2.0/security-group-rules', { security_group_rule: { security_group_id: web.id, direction: 'ingress' } }),
      404,
      'SecurityGroupNotFound',
      /does not exist/,
    );
    await refused(
      () => bob.post('/v2.0/security-groups', { security_group: { name: 'x', project_id: 'alice' } }),
      400,
      'HTTPBadRequest',
      /requires admin privileges/,
    );
    // An admin sees every project's groups.
    expect(ids((await cp.api.get('/v2.0/security-groups')).body!.security_groups)).toEqual(expect.arrayContaining([web.id, jump.id]));
  });

  it('updates name and description', async () => {
    const res = await alice().put(`/v2.0/security-groups/${web.id}`, { security_group: { name: 'www', description: 'front end' } });
    expect(res.status).toBe(200);
    expect(res.body!.security_group).toMatchObject({ name: 'www', description: 'front end' });
  });

  it('refuses to delete a group that a port uses, until the port lets go', async () => {
    const port = await portUsing('alice', [web.id, jump.id]);
    await refused(
      () => alice().del(`/v2.0/security-groups/${web.id}`),
      409,
      'SecurityGroupInUse',
      new RegExp(`Security Group ${web.id} in use`),
    );
    await port.setGroups([jump.id]);
    await refused(() => alice().del(`/v2.0/security-groups/${jump.id}`), 409, 'SecurityGroupInUse', /in use/);
    expect((await alice().del(`/v2.0/security-groups/${web.id}`)).status).toBe(204);
    expect((await alice().get(`/v2.0/security-groups/${web.id}`)).status).toBe(404);
    expect((await alice().get(`/v2.0/security-group-rules?security_group_id=${web.id}`)).body!.security_group_rules).toEqual([]);
    await port.remove();
  });

  it("deletes rules naming a deleted group as their remote, as Neutron's cascade does", async () => {
    const app = (await alice().post('/v2.0/security-groups', { security_group: { name: 'app' } })).body!.security_group;
    const fromJump = (await rule(app.id, { protocol: 'tcp', port_range_min: 8080, port_range_max: 8080, remote_group_id: jump.id })).body!
      .security_group_rule;
    const before = await cp.head();
    expect((await alice().del(`/v2.0/security-groups/${jump.id}`)).status).toBe(204);
    expect((await eventsAfter(before)).map((e) => [e.type, e.data.id])).toEqual([
      ['SecurityGroupRuleDeleted', fromJump.id],
      ['SecurityGroupDeleted', jump.id],
    ]);
    const left = (await alice().get(`/v2.0/security-groups/${app.id}`)).body!.security_group.security_group_rules;
    expect(ids(left)).not.toContain(fromJump.id);
    expect((await alice().get(`/v2.0/security-group-rules/${fromJump.id}`)).status).toBe(404);
  });

  it('deletes a rule', async () => {
    const r = (await rule(defaultSecurityGroupId('alice'), { protocol: 'udp', port_range_min: 53, port_range_max: 53 })).body!
      .security_group_rule;
    expect((await alice().del(`/v2.0/security-group-rules/${r.id}`)).status).toBe(204);
    expect((await alice().get(`/v2.0/security-group-rules/${r.id}`)).status).toBe(404);
  });
});

describe('rebuild', () => {
  it('derives the same groups, rules and group usage from the events as were maintained live', async () => {
    const { db, store } = cp.running.ws;
    await portUsing('alice', [defaultSecurityGroupId('alice')]);
    const snapshot = async () => [
      await db.all(
        "SELECT kind, id, project_id, parent_id, body FROM resources WHERE kind IN ('security_group', 'security_group_rule') ORDER BY kind, id",
      ),
      await db.all('SELECT security_group_id, port_id FROM security_group_ports ORDER BY security_group_id, port_id'),
    ];
    const live = await snapshot();
    const inlineTables = ['resources', 'segment_allocations', ...WRITE_INDEXES.flatMap((w) => w.tables.map((t) => t.meta.tableName))];
    await store.transaction(async (tx) => {
      await db.truncate(inlineTables, tx);
      await store.replayInline(tx);
    });
    expect(await snapshot()).toEqual(live);
    expect(live[0].length).toBeGreaterThan(10);
    expect(live[1]).toEqual([{ security_group_id: defaultSecurityGroupId('alice'), port_id: expect.any(String) }]);
  });
});

// PostgreSQL runs command transactions concurrently (SERIALIZABLE): there the
// "group in use" and "one default group" invariants rest on conflict detection.
const PG_URL = process.env.PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const skipPg = process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true';
(skipPg ? describe.skip : describe)('security groups on PostgreSQL', () => {
  const schema = `sg_test_${process.pid}_${Date.now()}`;
  let pg: Plane;
  beforeAll(async () => {
    pg = await startInProcess({ CP_EVENT_STORE_URL: PG_URL, CP_EVENT_STORE_SCHEMA: schema, CP_LOG_LEVEL: 'error' });
  });
  afterAll(async () => {
    await pg.running.ws.db.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pg.close();
  });

  it('makes one default group for concurrent first uses', async () => {
    const erin = pg.api.as('erin');
    const results = await Promise.all(Array.from({ length: 6 }, () => erin.get('/v2.0/security-groups')));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    const stored = (await pg.api.get(`/v1/events?resource_type=security-group&resource_id=${defaultSecurityGroupId('erin')}`)).body!.events;
    expect(stored.filter((e: Json) => e.type === 'SecurityGroupCreated')).toHaveLength(1);
  });

  it('never deletes a group that a port created at the same time uses', async () => {
    const frank = pg.api.as('frank');
    const net = (await frank.post('/v2.0/networks', { network: { name: 'race' } })).body!.network;
    for (let round = 0; round < 8; round++) {
      const sg = (await frank.post('/v2.0/security-groups', { security_group: { name: `race-${round}` } })).body!.security_group;
      const port = () => frank.post('/v2.0/ports', { port: { network_id: net.id, security_groups: [sg.id] } });
      // The delete starts a little later each round, so both orders (and overlaps) occur.
      const later = new Promise((r) => setTimeout(r, round * 4)).then(() => frank.del(`/v2.0/security-groups/${sg.id}`));
      const [del, ...ports] = await Promise.all([later, port(), port()]);
      const users = (await frank.get('/v2.0/ports')).body!.ports.filter((p: Json) => p.security_groups.includes(sg.id));
      if (del.status === 204) {
        expect(users).toEqual([]);
        expect(ports.map((p) => p.status)).not.toContain(201);
      } else {
        expect(del.status).toBe(409);
        expect(users.length).toBe(ports.filter((p) => p.status === 201).length);
        expect(users.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('stateful and stateless groups', () => {
  it('switches an unused group to stateless and back, and refuses it while a port uses the group', async () => {
    const sg = (await cp.api.post('/v2.0/security-groups', { security_group: { name: 'flip' } })).body!.security_group;
    expect(sg.stateful).toBe(true);
    const off = await cp.api.put(`/v2.0/security-groups/${sg.id}`, { security_group: { stateful: false } });
    expect([off.status, off.body!.security_group.stateful]).toEqual([200, false]);
    const net = (await cp.api.post('/v2.0/networks', { network: { name: 'flip-net' } })).body!.network;
    await cp.api.post('/v2.0/ports', { port: { network_id: net.id, security_groups: [sg.id] } });
    const refused = await cp.api.put(`/v2.0/security-groups/${sg.id}`, { security_group: { stateful: true } });
    expect([refused.status, refused.body!.NeutronError.type]).toEqual([409, 'SecurityGroupInUse']);
    expect((await cp.api.get(`/v2.0/security-groups/${sg.id}`)).body!.security_group.stateful).toBe(false);
  });
});
