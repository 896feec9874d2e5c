import { loadSettings } from './config';

describe('API settings: physical networks', () => {
  it('defaults to one VLAN physnet with a pool, and flat networks on any physnet', () => {
    expect(loadSettings({}).physicalNetworks).toEqual({
      vlanPhysnets: ['physnet1'],
      vlanRanges: [{ physnet: 'physnet1', min: 1000, max: 2999 }],
      flatNetworks: '*',
    });
  });

  it("reads Neutron's network_vlan_ranges and flat_networks formats", () => {
    const s = loadSettings({
      CP_NETWORK_VLAN_RANGES: 'physnet1:10:19, provider ,physnet1:100:100,physnet2:1:4094',
      CP_FLAT_NETWORKS: 'ext, ext2',
      CP_TENANT_NETWORK_TYPE: 'vlan',
    });
    expect(s.tenantNetworkType).toBe('vlan');
    expect(s.physicalNetworks).toEqual({
      vlanPhysnets: ['physnet1', 'provider', 'physnet2'],
      vlanRanges: [
        { physnet: 'physnet1', min: 10, max: 19 },
        { physnet: 'physnet1', min: 100, max: 100 },
        { physnet: 'physnet2', min: 1, max: 4094 },
      ],
      flatNetworks: ['ext', 'ext2'],
    });
    expect(loadSettings({ CP_NETWORK_VLAN_RANGES: '', CP_FLAT_NETWORKS: '' }).physicalNetworks).toEqual({
      vlanPhysnets: [],
      vlanRanges: [],
      flatNetworks: [],
    });
    expect(loadSettings({ CP_FLAT_NETWORKS: 'ext,*' }).physicalNetworks.flatNetworks).toBe('*');
  });

  it.each([
    ['physnet1:1000', /CP_NETWORK_VLAN_RANGES: entry 'physnet1:1000': expected physnet or physnet:min:max/],
    ['physnet1:1:2:3', /CP_NETWORK_VLAN_RANGES: entry 'physnet1:1:2:3'/],
    [':1:10', /CP_NETWORK_VLAN_RANGES: entry ':1:10': physical network name is empty/],
    ['physnet1:0:10', /CP_NETWORK_VLAN_RANGES: entry 'physnet1:0:10': 0 is not a valid VLAN tag/],
    ['physnet1:1:4095', /CP_NETWORK_VLAN_RANGES: entry 'physnet1:1:4095': 4095 is not a valid VLAN tag/],
    ['physnet1:1:x', /CP_NETWORK_VLAN_RANGES: entry 'physnet1:1:x': x is not a valid VLAN tag/],
    ['physnet1:20:10', /CP_NETWORK_VLAN_RANGES: entry 'physnet1:20:10': end of VLAN range is less than its start/],
    ['physnet1:1:10,,physnet2', /CP_NETWORK_VLAN_RANGES: entry '': physical network name is empty/],
  ])('refuses to start with CP_NETWORK_VLAN_RANGES=%s', (value, message) => {
    expect(() => loadSettings({ CP_NETWORK_VLAN_RANGES: value })).toThrow(message);
  });

  it('refuses to start with an empty name in CP_FLAT_NETWORKS, or an unknown tenant network type', () => {
    expect(() => loadSettings({ CP_FLAT_NETWORKS: 'ext,' })).toThrow(/invalid setting CP_FLAT_NETWORKS: .*name is empty/);
    expect(() => loadSettings({ CP_TENANT_NETWORK_TYPE: 'flat' })).toThrow(/CP_TENANT_NETWORK_TYPE/);
  });
});
