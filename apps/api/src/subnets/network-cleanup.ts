import { subnetStream } from '@cp/write-model';
import { dhcpNetworkDecider, subnetDecider } from '@cp/domain';
import { type UnitOfWork, dhcpNetworkStream, fail, networkSubnets, portsLeftOn, unscheduleDhcp } from '@cp/write-model';

/**
 * NetworksService.beforeDelete hook: a network goes with its subnets, in the
 * same command. It refuses while any port remains (counting what earlier hooks
 * of this command deleted, e.g. an external network's floating IP ports),
 * before deleting a subnet.
 */
export async function deleteNetworkSubnets(uow: UnitOfWork, networkId: string): Promise<void> {
  if ((await portsLeftOn(uow, networkId)) > 0) {
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

/**
 * NetworksService.beforeDelete hook, ahead of the one above: the network's DHCP
 * service and its DHCP ports go first (Neutron deletes `network:dhcp` ports with
 * their network), so they do not count as ports in use.
 */
export async function deleteNetworkDhcp(uow: UnitOfWork, networkId: string): Promise<void> {
  const { bindings } = await uow.load(dhcpNetworkDecider, dhcpNetworkStream(networkId));
  if (bindings.length > 0)
    await unscheduleDhcp(
      uow,
      networkId,
      bindings.map((b) => b.agentId),
      'network_deleted',
    );
}
