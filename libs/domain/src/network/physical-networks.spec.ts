import { checkPhysicalNetwork, vlanPools, type PhysicalNetworks } from './physical-networks';

const config: PhysicalNetworks = {
  vlanPhysnets: ['physnet1', 'physnet2', 'bare'],
  vlanRanges: [
    { physnet: 'physnet1', min: 3000, max: 3009 },
    { physnet: 'physnet2', min: 100, max: 199 },
    { physnet: 'physnet1', min: 1000, max: 1009 },
  ],
  flatNetworks: ['ext'],
};

describe('physical networks (ML2 type drivers)', () => {
  it('takes VLAN networks on configured physnets only, with or without pools', () => {
    expect(checkPhysicalNetwork('vlan', 'physnet1', 42, config)).toBeNull();
    expect(checkPhysicalNetwork('vlan', 'bare', 42, config)).toBeNull();
    expect(checkPhysicalNetwork('vlan', 'physnet1', null, config)).toBeNull();
    expect(checkPhysicalNetwork('vlan', 'other', 42, config)).toMatchObject({
      status: 400,
      type: 'InvalidInput',
      message: "physical_network 'other' unknown for VLAN provider network",
    });
  });

  it('lets a VLAN network name neither physnet nor id, but not an id alone', () => {
    expect(checkPhysicalNetwork('vlan', null, null, config)).toBeNull();
    expect(checkPhysicalNetwork('vlan', null, 42, config)).toMatchObject({
      status: 400,
      message: 'segmentation_id requires physical_network for VLAN provider network',
    });
  });

  it('takes flat networks on allowed physnets, any with *, none when disabled', () => {
    expect(checkPhysicalNetwork('flat', 'ext', null, config)).toBeNull();
    expect(checkPhysicalNetwork('flat', 'physnet1', null, config)).toMatchObject({
      status: 400,
      message: "physical_network 'physnet1' unknown for flat provider network",
    });
    expect(checkPhysicalNetwork('flat', null, null, config)).toMatchObject({ message: /physical_network required/ });
    expect(checkPhysicalNetwork('flat', 'anything', null, { ...config, flatNetworks: '*' })).toBeNull();
    expect(checkPhysicalNetwork('flat', 'ext', null, { ...config, flatNetworks: [] })).toMatchObject({
      message: 'Flat provider networks are disabled',
    });
  });

  it('leaves tunnels to the decider', () => {
    expect(checkPhysicalNetwork('vxlan', null, 7, config)).toBeNull();
  });

  it("allocates from a physnet's pools lowest first, or from every physnet's in configured order", () => {
    expect(vlanPools(config, 'physnet1')).toEqual([
      { physnet: 'physnet1', min: 1000, max: 1009 },
      { physnet: 'physnet1', min: 3000, max: 3009 },
    ]);
    expect(vlanPools(config, 'bare')).toEqual([]);
    expect(vlanPools(config, null).map((r) => `${r.physnet}:${r.min}`)).toEqual(['physnet1:1000', 'physnet1:3000', 'physnet2:100']);
  });
});
