import { spec } from '../testing/given-when-then';
import { floatingIpDecider, type AssociationFacts, type FloatingIpData } from './floating-ip.decider';

const fip: FloatingIpData = {
  id: 'f1',
  projectId: 'p1',
  floatingNetworkId: 'ext',
  floatingIpAddress: '203.0.113.7',
  floatingSubnetId: 'ext-sub',
  floatingPortId: 'fport',
  description: '',
};
const ref = { id: 'f1', projectId: 'p1', floatingNetworkId: 'ext' };
const created = { type: 'FloatingIpCreated' as const, data: fip };
const facts = (over: Partial<AssociationFacts> = {}): AssociationFacts => ({
  port: { id: 'vm', projectId: 'p1', deviceOwner: 'compute:nova', fixedIps: [{ subnetId: 's1', ipAddress: '10.0.0.5' }] },
  routerBySubnet: { s1: 'r1' },
  mappedBy: {},
  ...over,
});
const associated = (portId = 'vm', fixedIpAddress = '10.0.0.5', routerId = 'r1') => ({
  type: 'FloatingIpAssociated' as const,
  data: { ...ref, floatingIpAddress: fip.floatingIpAddress, portId, fixedIpAddress, routerId },
});
const associate = (over: Partial<AssociationFacts> = {}) => ({
  type: 'AssociateFloatingIp' as const,
  data: { id: 'f1' },
  associate: facts(over),
});
const { given } = spec(floatingIpDecider);

describe('floating IP decider', () => {
  it('is created unmapped, or mapped in the same decision through the router that reaches the floating network', () => {
    given([]).when({ type: 'CreateFloatingIp', data: fip, associate: null }).thenEvents([created]);
    given([]).when({ type: 'CreateFloatingIp', data: fip, associate: facts() }).thenEvents([created, associated()]);
    // A refused association creates nothing either.
    given([])
      .when({ type: 'CreateFloatingIp', data: fip, associate: facts({ routerBySubnet: { s1: null } }) })
      .thenRejected(404, 'ExternalGatewayForFloatingIPNotFound');
  });

  it('maps the only IPv4 address of the port, or the one asked for; IPv6 never', () => {
    const dual = {
      id: 'vm',
      projectId: 'p1',
      deviceOwner: '',
      fixedIps: [
        { subnetId: 's6', ipAddress: '2001:db8::5' },
        { subnetId: 's1', ipAddress: '10.0.0.5' },
      ],
    };
    given([created])
      .when(associate({ port: dual }))
      .thenEvents([associated()]);
    const two = { ...dual, fixedIps: [...dual.fixedIps, { subnetId: 's1', ipAddress: '10.0.0.6' }] };
    given([created])
      .when(associate({ port: two }))
      .thenRejected(400, 'BadRequest', /multiple fixed IPv4 addresses/);
    given([created])
      .when(associate({ port: two, fixedIpAddress: '10.0.0.6' }))
      .thenEvents([associated('vm', '10.0.0.6')]);
    given([created])
      .when(associate({ port: two, fixedIpAddress: '10.0.0.9' }))
      .thenRejected(400, 'BadRequest', /does not have fixed ip/);
    given([created])
      .when(associate({ port: two, fixedIpAddress: '2001:db8::5' }))
      .thenRejected(400, 'BadRequest', /not an IPv4/);
    given([created])
      .when(associate({ port: { ...dual, fixedIps: [dual.fixedIps[0]] } }))
      .thenRejected(400, 'BadRequest', /any IPv4/);
  });

  it("refuses a fixed IP another floating IP of the network maps, another project's port, and service ports", () => {
    given([created])
      .when(associate({ mappedBy: { '10.0.0.5': 'f2' } }))
      .thenRejected(409, 'FloatingIPPortAlreadyAssociated');
    given([created, associated()])
      .when(associate({ mappedBy: { '10.0.0.5': 'f1' } }))
      .thenEvents([]); // itself: no change
    given([created])
      .when(associate({ port: { ...facts().port, projectId: 'p2' } }))
      .thenRejected(400, 'BadRequest', /different tenant/);
    given([created])
      .when(associate({ port: { ...facts().port, deviceOwner: 'network:router_gateway' } }))
      .thenRejected(400, 'BadRequest');
  });

  it('moves to another port directly, unmaps once, and is deleted with its port named', () => {
    const other = facts({ port: { id: 'vm2', projectId: 'p1', deviceOwner: '', fixedIps: [{ subnetId: 's1', ipAddress: '10.0.0.8' }] } });
    given([created, associated()])
      .when({ type: 'AssociateFloatingIp', data: { id: 'f1' }, associate: other })
      .thenEvents([associated('vm2', '10.0.0.8')]);
    const disassociate = { type: 'DisassociateFloatingIp' as const, data: { id: 'f1', reason: 'port_deleted' as const } };
    given([created, associated()])
      .when(disassociate)
      .thenEvents([{ type: 'FloatingIpDisassociated', data: { ...ref, portId: 'vm', routerId: 'r1', reason: 'port_deleted' } }]);
    given([created]).when(disassociate).thenEvents([]);
    given([created])
      .when({ type: 'DeleteFloatingIp', data: { id: 'f1' } })
      .thenEvents([{ type: 'FloatingIpDeleted', data: { ...ref, floatingPortId: 'fport' } }]);
    given([created, { type: 'FloatingIpDeleted', data: { ...ref, floatingPortId: 'fport' } }])
      .when({ type: 'DeleteFloatingIp', data: { id: 'f1' } })
      .thenRejected(404, 'FloatingIPNotFound');
  });
});
