import { HA_SLOTS_PER_ROUTER, haNetworkName, haNetworkResources, haPortAddress, haPortCreated } from './ha-resources';

describe('HA resources', () => {
  it('names the project HA networks as Neutron does, with a suffix for later ones', () => {
    expect(haNetworkName('p1', 0)).toBe('HA network project p1');
    expect(haNetworkName('p1', 1)).toBe('HA network project p1 2');
    expect(haNetworkName('p1', 2)).toBe('HA network project p1 3');
  });

  it('derives HA port addresses inside 169.254.192.0/18, never the network or broadcast address', () => {
    expect(haPortAddress(1, 0)).toEqual({ ipAddress: '169.254.192.64', macAddress: 'fa:16:3e:c0:00:40' });
    expect(haPortAddress(255, HA_SLOTS_PER_ROUTER - 1).ipAddress).toBe('169.254.255.254');
    expect(() => haPortAddress(1, HA_SLOTS_PER_ROUTER)).toThrow(RangeError);
  });

  it('gives distinct addresses and MACs to every (VRID, slot)', () => {
    const ips = new Set<string>();
    const macs = new Set<string>();
    for (let vrid = 1; vrid <= 255; vrid++) {
      for (let slot = 0; slot < HA_SLOTS_PER_ROUTER; slot++) {
        const a = haPortAddress(vrid, slot);
        ips.add(a.ipAddress);
        macs.add(a.macAddress);
      }
    }
    expect(ips.size).toBe(255 * HA_SLOTS_PER_ROUTER);
    expect(macs.size).toBe(255 * HA_SLOTS_PER_ROUTER);
  });

  it('builds an admin-owned vxlan network and a DHCP-less subnet for the project', () => {
    const r = haNetworkResources({ networkId: 'n', subnetId: 's', projectId: 'p1', index: 1, segmentationId: 16_000_001, mtu: 1450 });
    expect(r.network.data).toMatchObject({ projectId: '', haNetworkOf: 'p1', networkType: 'vxlan', name: 'HA network project p1 2' });
    expect(r.subnet.data).toMatchObject({ cidr: '169.254.192.0/18', gatewayIp: null, enableDhcp: false, networkId: 'n' });
    expect(r.haNetwork).toMatchObject({ id: 'n', networkId: 'n', subnetId: 's', index: 1, projectId: 'p1' });
  });

  it('creates an HA port bound to the agent host', () => {
    const [created, bound] = haPortCreated({ portId: 'hp', haNetworkId: 'n', subnetId: 's', routerId: 'r', projectId: 'p1', host: 'net1', vrid: 2, slot: 1 });
    expect(created.data).toMatchObject({
      deviceOwner: 'network:router_ha_interface', deviceId: 'r', hostId: 'net1',
      fixedIps: [{ subnetId: 's', ipAddress: '169.254.192.129' }],
    });
    expect(bound.data).toEqual({ id: 'hp', networkId: 'n', projectId: '', host: 'net1', previousHost: '' });
  });
});
