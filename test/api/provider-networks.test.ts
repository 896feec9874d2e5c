/**
 * VLAN and flat provider networks against ML2's physical-network settings
 * (CP_NETWORK_VLAN_RANGES, CP_FLAT_NETWORKS), with tiny pools so exhaustion is reachable.
 */
import { startInProcess, type Json } from '../support/control-plane';

const SETTINGS = { CP_NETWORK_VLAN_RANGES: 'physnet1:100:102,physnet2:7:7,bare', CP_FLAT_NETWORKS: 'ext,ext2' };
let cp: Awaited<ReturnType<typeof startInProcess>>;
beforeAll(async () => {
  cp = await startInProcess(SETTINGS);
});
afterAll(() => cp.close());

const vlan = (extra: Json = {}) => ({ network: { 'provider:network_type': 'vlan', ...extra } });
const flat = (physnet: string) => ({ network: { 'provider:network_type': 'flat', 'provider:physical_network': physnet } });
const segment = (n: Json) => [n['provider:physical_network'], n['provider:segmentation_id']];

/** A refused create: its status, type and message, and nothing appended. */
async function refused(body: unknown) {
  const before = await cp.head();
  const res = await cp.api.post('/v2.0/networks', body);
  expect(await cp.head()).toBe(before);
  return { status: res.status, type: res.body!.NeutronError?.type, message: res.body!.NeutronError?.message };
}

describe('VLAN networks', () => {
  it('takes the lowest free VLAN of the physnet when none is given, again once one is freed', async () => {
    const a = (await cp.api.post('/v2.0/networks', vlan({ 'provider:physical_network': 'physnet1' }))).body!.network;
    expect(a).toMatchObject({ 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 100, mtu: 1500 });
    // Neither physnet nor id: the first physnet with a free VLAN, in configured order.
    const b = (await cp.api.post('/v2.0/networks', vlan())).body!.network;
    expect(segment(b)).toEqual(['physnet1', 101]);
    expect((await cp.api.del(`/v2.0/networks/${a.id}`)).status).toBe(204);
    const c = (await cp.api.post('/v2.0/networks', vlan({ 'provider:physical_network': 'physnet1' }))).body!.network;
    expect(segment(c)).toEqual(['physnet1', 100]);
  });

  it('gives each network of a bulk create its own VLAN, and refuses when the pools run out (503)', async () => {
    // physnet1 has 102 left, physnet2 only 7: the bulk create takes both, in configured order.
    const bulk = await cp.api.post('/v2.0/networks', { networks: [vlan().network, vlan().network] });
    expect(bulk.status).toBe(201);
    expect((bulk.body!.networks as Json[]).map(segment)).toEqual([
      ['physnet1', 102],
      ['physnet2', 7],
    ]);
    expect(await refused(vlan())).toEqual({
      status: 503,
      type: 'NoNetworkAvailable',
      message: 'Unable to create the network. No tenant network is available for allocation.',
    });
    expect(await refused(vlan({ 'provider:physical_network': 'physnet2' }))).toMatchObject({ status: 503 });
    // A physnet listed bare has no pool at all.
    expect(await refused(vlan({ 'provider:physical_network': 'bare' }))).toMatchObject({ status: 503 });
  });

  it('lets an admin choose any VLAN on a known physnet, outside the pools too, but not a taken one', async () => {
    for (const [physnet, id] of [
      ['physnet2', 4000],
      ['bare', 5],
    ] as const) {
      const res = await cp.api.post('/v2.0/networks', vlan({ 'provider:physical_network': physnet, 'provider:segmentation_id': id }));
      expect(res.status).toBe(201);
      expect(segment(res.body!.network)).toEqual([physnet, id]);
    }
    expect(await refused(vlan({ 'provider:physical_network': 'physnet2', 'provider:segmentation_id': 4000 }))).toEqual({
      status: 409,
      type: 'VlanIdInUse',
      message: 'Unable to create the network. The VLAN 4000 on physical network physnet2 is in use.',
    });
    // The same VLAN on another physnet is another segment.
    const other = await cp.api.post('/v2.0/networks', vlan({ 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 4000 }));
    expect(other.status).toBe(201);
  });

  it('refuses a physnet missing from CP_NETWORK_VLAN_RANGES (400)', async () => {
    for (const id of [10, undefined]) {
      expect(await refused(vlan({ 'provider:physical_network': 'physnet9', 'provider:segmentation_id': id }))).toEqual({
        status: 400,
        type: 'InvalidInput',
        message: "physical_network 'physnet9' unknown for VLAN provider network",
      });
    }
    expect(await refused({ network: { 'provider:network_type': 'vxlan', 'provider:physical_network': 'physnet1' } })).toMatchObject({
      status: 400,
      message: /physical_network must not be set for vxlan/,
    });
    expect(await refused(vlan({ 'provider:segmentation_id': 10 }))).toMatchObject({
      status: 400,
      message: 'segmentation_id requires physical_network for VLAN provider network',
    });
  });
});

describe('flat networks', () => {
  it('allows only the physnets of CP_FLAT_NETWORKS (400), one flat network on each (409)', async () => {
    const ext = await cp.api.post('/v2.0/networks', flat('ext'));
    expect(ext.status).toBe(201);
    expect(ext.body!.network).toMatchObject({ 'provider:physical_network': 'ext', 'provider:segmentation_id': null, mtu: 1500 });
    expect(await refused(flat('physnet1'))).toEqual({
      status: 400,
      type: 'InvalidInput',
      message: "physical_network 'physnet1' unknown for flat provider network",
    });
    expect(await refused(flat('ext'))).toEqual({
      status: 409,
      type: 'FlatNetworkInUse',
      message: 'Unable to create the flat network. Physical network ext is in use.',
    });
    // Within one bulk create too; and the physnet is free again once its network is gone.
    expect(await refused({ networks: [flat('ext2').network, flat('ext2').network] })).toMatchObject({
      status: 409,
      type: 'FlatNetworkInUse',
    });
    expect((await cp.api.del(`/v2.0/networks/${ext.body!.network.id}`)).status).toBe(204);
    expect((await cp.api.post('/v2.0/networks', flat('ext'))).status).toBe(201);
  });
});

it('allocates tenant networks a physnet and VLAN with CP_TENANT_NETWORK_TYPE=vlan', async () => {
  const tenant = await startInProcess({ ...SETTINGS, CP_TENANT_NETWORK_TYPE: 'vlan' });
  try {
    const made = await tenant.api.as('alice').post('/v2.0/networks', { networks: [{ name: 'a' }, { name: 'b' }] });
    expect(made.status).toBe(201);
    const shown = await Promise.all((made.body!.networks as Json[]).map((n) => tenant.api.get(`/v2.0/networks/${n.id}`)));
    expect(shown.map((r) => [r.body!.network['provider:network_type'], ...segment(r.body!.network)])).toEqual([
      ['vlan', 'physnet1', 100],
      ['vlan', 'physnet1', 101],
    ]);
  } finally {
    await tenant.close();
  }
});
