import { subnetStream } from '@cp/write-model';
import { subnetDecider } from '@cp/domain';
import { type UnitOfWork, fail, networkSubnets, PORT } from '@cp/write-model';

/**
 * NetworksService.beforeDelete hook: a network goes with its subnets, in the
 * same command. It refuses while any port remains, before emitting anything,
 * because the network decider's portsInUse count is read from the resources
 * table before this command's events apply: auto-deleting service ports here
 * would still be counted. (Nothing here creates DHCP ports, Neutron's only
 * auto-deleted owner, so refusing on every port loses nothing.)
 */
export async function deleteNetworkSubnets(uow: UnitOfWork, networkId: string): Promise<void> {
  if ((await uow.resources.count(PORT, networkId, uow.tx)) > 0) {
    fail(
      409,
      'NetworkInUse',
      `Unable to complete operation on network ${networkId}. There are one or more ports still in use on the network.`,
    );
  }
  for (const subnet of await networkSubnets(uow, networkId)) {
    await uow.decide(subnetDecider, subnetStream(subnet.id), { type: 'DeleteSubnet', data: { id: subnet.id }, facts: { portsInUse: 0 } });
  }
}
