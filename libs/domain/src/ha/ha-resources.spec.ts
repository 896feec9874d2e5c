import { networkDecider } from '../network';
import { portDecider } from '../port';
import { subnetDecider } from '../subnet';
import { HA_SLOTS_PER_ROUTER, haNetworkName, haNetworkRequests, haPortAddress, haPortRequest } from './ha-resources';

describe('HA resources', () => {
  it('names the project HA networks as Neutron does, with a suffix for later ones', () => {
    expect(haNetworkName('p1', 0)).toBe('HA network tenant p1');
    expect(haNetworkName('p1', 1)).toBe('HA network tenant p1 2');
    expect(haNetworkName('p1', 2)).toBe('HA network tenant p1 3');
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

  it('asks for an admin-owned vxlan network and a DHCP-less subnet, which their deciders accept as they are', () => {
    const r = haNetworkRequests({ networkId: 'n', subnetId: 's', projectId: 'p1', index: 1, segmentationId: 16_000_001, mtu: 1450 });
    expect(r.network).toMatchObject({ projectId: '', haNetworkOf: 'p1', networkType: 'vxlan', name: 'HA network tenant p1 2' });
    expect(r.haNetwork).toMatchObject({ id: 'n', networkId: 'n', subnetId: 's', index: 1, projectId: 'p1' });
    expect(networkDecider.decide({ type: 'CreateNetwork', data: r.network }, { status: 'absent' })).toEqual([
      { type: 'NetworkCreated', data: r.network },
    ]);
    const subnet = subnetDecider.decide(
      { type: 'CreateSubnet', data: r.subnet, facts: { network: r.network, existingCidrs: [] } },
      { status: 'absent' },
    );
    expect(subnet).toEqual([
      {
        type: 'SubnetCreated',
        data: { ...r.subnet, gatewayIp: null, allocationPools: [{ start: '169.254.192.1', end: '169.254.255.254' }] },
      },
    ]);
  });

  it('asks for an HA port bound to the agent host at its (VRID, slot) address, which the port decider creates', () => {
    const { network, subnet } = haNetworkRequests({
      networkId: 'n',
      subnetId: 's',
      projectId: 'p1',
      index: 0,
      segmentationId: 16_000_001,
      mtu: 1450,
    });
    const request = haPortRequest({
      portId: 'hp',
      haNetworkId: 'n',
      subnetId: 's',
      routerId: 'r',
      projectId: 'p1',
      host: 'net1',
      vrid: 2,
      slot: 1,
    });
    const events = portDecider.decide(
      {
        type: 'CreatePort',
        data: { ...request, description: '', adminStateUp: true, allowedAddressPairs: [], vnicType: 'normal', macGenerated: false },
        facts: {
          network,
          subnets: [{ ...subnet, gatewayIp: null, allocationPools: subnet.allocationPools! }],
          usedIps: {},
          macInUse: false,
          missingSecurityGroups: [],
        },
      },
      { status: 'absent' },
    );
    expect(events).toMatchObject([
      {
        type: 'PortCreated',
        data: {
          deviceOwner: 'network:router_ha_interface',
          deviceId: 'r',
          hostId: 'net1',
          projectId: '',
          securityGroups: [],
          portSecurityEnabled: false,
          macAddress: 'fa:16:3e:c0:00:81',
          fixedIps: [{ subnetId: 's', ipAddress: '169.254.192.129' }],
        },
      },
      { type: 'PortBoundToHost', data: { id: 'hp', networkId: 'n', projectId: '', host: 'net1', previousHost: '' } },
    ]);
  });
});
