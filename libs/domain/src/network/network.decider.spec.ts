import { spec } from '../testing/given-when-then';
import { networkDecider, type NetworkData } from './network.decider';

const net: NetworkData = {
  id: 'n1',
  projectId: 'p1',
  name: 'private',
  description: '',
  adminStateUp: true,
  shared: false,
  external: false,
  mtu: 1450,
  networkType: 'vxlan',
  segmentationId: 1001,
  physicalNetwork: null,
};
const created = { type: 'NetworkCreated' as const, data: net };
const { given } = spec(networkDecider);

describe('network decider', () => {
  it('creates a network', () => {
    given([]).when({ type: 'CreateNetwork', data: net }).thenEvents([created]);
  });

  it('refuses to create a network twice', () => {
    given([created]).when({ type: 'CreateNetwork', data: net }).thenRejected(409, 'NetworkExists');
  });

  it('rejects a vlan network without a physical network', () => {
    given([])
      .when({ type: 'CreateNetwork', data: { ...net, networkType: 'vlan', segmentationId: 100 } })
      .thenRejected(400, 'InvalidInput', /physical_network/);
  });

  it('rejects a segmentation id out of range', () => {
    given([])
      .when({ type: 'CreateNetwork', data: { ...net, networkType: 'vlan', segmentationId: 5000, physicalNetwork: 'physnet1' } })
      .thenRejected(400, 'InvalidInput', /out of range/);
  });

  it('records only the attributes that change', () => {
    given([created])
      .when({ type: 'UpdateNetwork', data: { id: 'n1', changes: { name: 'private', mtu: 1400 } } })
      .thenEvents([{ type: 'NetworkUpdated', data: { id: 'n1', changes: { mtu: 1400 } } }]);
  });

  it('does not update an unknown network', () => {
    given([])
      .when({ type: 'UpdateNetwork', data: { id: 'n1', changes: { name: 'x' } } })
      .thenRejected(404, 'NetworkNotFound');
  });

  it('refuses to delete a network with ports in use', () => {
    given([created])
      .when({ type: 'DeleteNetwork', data: { id: 'n1', portsInUse: 2 } })
      .thenRejected(409, 'NetworkInUse');
  });

  it('deletes a network, after which it is gone', () => {
    const deleted = {
      type: 'NetworkDeleted' as const,
      data: { id: 'n1', projectId: 'p1', networkType: 'vxlan' as const, segmentationId: 1001 },
    };
    given([created])
      .when({ type: 'DeleteNetwork', data: { id: 'n1', portsInUse: 0 } })
      .thenEvents([deleted]);
    given([created, deleted])
      .when({ type: 'DeleteNetwork', data: { id: 'n1', portsInUse: 0 } })
      .thenRejected(404, 'NetworkNotFound');
  });
});
