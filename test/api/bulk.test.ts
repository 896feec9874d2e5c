/**
 * Neutron's bulk create (`{"networks": [...]}` and the like), which Tempest and Heat use:
 * all the resources or none, each item judged as a single create would be.
 */
import { startInProcess, type Json } from '../support/control-plane';

let cp: Awaited<ReturnType<typeof startInProcess>>;
beforeAll(async () => {
  cp = await startInProcess();
});
afterAll(() => cp.close());

it('creates networks, subnets and ports in bulk, each with its own segment, range, address and MAC', async () => {
  const nets = await cp.api.post('/v2.0/networks', { networks: [{ name: 'bulk-a' }, { name: 'bulk-b' }, { name: 'bulk-c' }] });
  expect(nets.status).toBe(201);
  const networks = nets.body!.networks as Json[];
  expect(networks.map((n) => n.name)).toEqual(['bulk-a', 'bulk-b', 'bulk-c']);
  expect(new Set(networks.map((n) => n['provider:segmentation_id'])).size).toBe(3);

  const subs = await cp.api.post('/v2.0/subnets', {
    subnets: networks.map((n, i) => ({ network_id: n.id, cidr: `10.${60 + i}.0.0/24`, ip_version: 4 })),
  });
  expect(subs.status).toBe(201);
  expect((subs.body!.subnets as Json[]).map((s) => s.cidr)).toEqual(['10.60.0.0/24', '10.61.0.0/24', '10.62.0.0/24']);

  const ports = await cp.api.post('/v2.0/ports', { ports: [1, 2, 3].map((i) => ({ network_id: networks[0].id, name: `p${i}` })) });
  expect(ports.status).toBe(201);
  const made = ports.body!.ports as Json[];
  expect(new Set(made.map((p) => p.fixed_ips[0].ip_address)).size).toBe(3);
  expect(new Set(made.map((p) => p.mac_address)).size).toBe(3);
});

it('makes nothing when one item is invalid, or when one is refused by the rules', async () => {
  const head = await cp.head();
  const bad = await cp.api.post('/v2.0/networks', { networks: [{ name: 'ok' }, { name: 'bad', mtu: 'x' }] });
  expect({ status: bad.status, type: bad.body!.NeutronError.type }).toEqual({ status: 400, type: 'HTTPBadRequest' });
  const net = (await cp.api.post('/v2.0/networks', { network: { name: 'atomic' } })).body!.network as Json;
  const afterNet = await cp.head();
  expect(afterNet).toBeGreaterThan(head);
  // The second subnet overlaps the first: the first must not stay behind.
  const overlap = await cp.api.post('/v2.0/subnets', {
    subnets: [
      { network_id: net.id, cidr: '10.70.0.0/24', ip_version: 4 },
      { network_id: net.id, cidr: '10.70.0.0/25', ip_version: 4 },
    ],
  });
  expect(overlap.status).toBe(400);
  expect(await cp.head()).toBe(afterNet);
  expect((await cp.api.get(`/v2.0/subnets?network_id=${net.id}`)).body!.subnets).toEqual([]);
});

it('refuses an empty list, and a list beside other keys', async () => {
  const head = await cp.head();
  expect((await cp.api.post('/v2.0/ports', { ports: [] })).status).toBe(400);
  expect((await cp.api.post('/v2.0/networks', { networks: [{ name: 'x' }], network: { name: 'y' } })).status).toBe(400);
  expect(await cp.head()).toBe(head);
});

it('takes security groups in bulk, each item bare or wrapped in its resource key (as neutron-tempest-plugin sends them)', async () => {
  const res = await cp.api.post('/v2.0/security-groups', {
    security_groups: [{ security_group: { name: 'bulk-web' } }, { name: 'bulk-db' }],
  });
  expect(res.status).toBe(201);
  expect((res.body!.security_groups as Json[]).map((g) => g.name)).toEqual(['bulk-web', 'bulk-db']);
});
