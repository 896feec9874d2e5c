import type { DomainEventBody } from '@cp/events';
import { spec } from '../testing/given-when-then';
import { haNetworkDecider, lowestFreeVrid, VRID_MAX, type HaNetworkInfo } from './ha-network.decider';

const net: HaNetworkInfo = {
  projectId: 'p1',
  id: 'hn1',
  networkId: 'hn1',
  subnetId: 'hs1',
  cidr: '169.254.192.0/18',
  name: 'HA network tenant p1',
  index: 0,
};
const created = { type: 'HaNetworkCreated' as const, data: net };
const allocated = (routerId: string, vrid: number) => ({
  type: 'VridAllocated' as const,
  data: { projectId: 'p1', haNetworkId: 'hn1', routerId, vrid },
});
const released = (routerId: string, vrid: number) => ({
  type: 'VridReleased' as const,
  data: { projectId: 'p1', haNetworkId: 'hn1', routerId, vrid },
});
const full = (): DomainEventBody[] => [created, ...Array.from({ length: VRID_MAX }, (_, i) => allocated(`r${i + 1}`, i + 1))];
const { given } = spec(haNetworkDecider);

describe('HA network decider', () => {
  it('creates the network once', () => {
    given([]).when({ type: 'CreateHaNetwork', data: net }).thenEvents([created]);
    given([created]).when({ type: 'CreateHaNetwork', data: net }).thenRejected(409, 'HaNetworkExists');
  });

  it('allocates VRID 1 first: 0 is reserved by RFC 5798', () => {
    given([created])
      .when({ type: 'AllocateVrid', data: { routerId: 'r1' } })
      .thenEvents([allocated('r1', 1)]);
  });

  it('allocates the lowest free VRID, reusing released ones', () => {
    given([created, allocated('a', 1), allocated('b', 2), allocated('c', 3), released('b', 2)])
      .when({ type: 'AllocateVrid', data: { routerId: 'd' } })
      .thenEvents([allocated('d', 2)]);
  });

  it('refuses a second VRID for the same router', () => {
    given([created, allocated('r1', 1)])
      .when({ type: 'AllocateVrid', data: { routerId: 'r1' } })
      .thenRejected(409, 'VridAlreadyAllocated', /already has VRID 1/);
  });

  it('holds 255 routers (VRIDs 1-255) and then reports full', () => {
    const state = given(full()).state;
    expect(state.status === 'active' && Object.keys(state.vrids)).toHaveLength(255);
    expect(lowestFreeVrid(state)).toBeNull();
    given(full())
      .when({ type: 'AllocateVrid', data: { routerId: 'r256' } })
      .thenRejected(409, 'NoVRIDAvailable');
  });

  it('has room again after a release from a full network', () => {
    given([...full(), released('r7', 7)])
      .when({ type: 'AllocateVrid', data: { routerId: 'x' } })
      .thenEvents([allocated('x', 7)]);
  });

  it('releases a router VRID, and only one it holds', () => {
    given([created, allocated('r1', 1)])
      .when({ type: 'ReleaseVrid', data: { routerId: 'r1' } })
      .thenEvents([released('r1', 1)]);
    given([created, allocated('r1', 1), released('r1', 1)])
      .when({ type: 'ReleaseVrid', data: { routerId: 'r1' } })
      .thenRejected(404, 'VridNotAllocated');
  });

  it('does not allocate on a network that does not exist', () => {
    given([])
      .when({ type: 'AllocateVrid', data: { routerId: 'r1' } })
      .thenRejected(404, 'HaNetworkNotFound');
  });

  it('ignores a release that does not match the allocation (evolve is total)', () => {
    const state = given([created, allocated('r1', 1), released('r1', 9)]).state;
    expect(state.status === 'active' && state.vrids).toEqual({ r1: 1 });
  });
});
