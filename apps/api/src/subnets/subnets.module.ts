import { Module } from '@nestjs/common';
import { NetworksService } from '../networks/networks.service';
import { deleteNetworkDhcp, deleteNetworkSubnets } from './network-cleanup';
import { SubnetsController } from './subnets.controller';
import { SubnetsService } from './subnets.service';

@Module({ controllers: [SubnetsController], providers: [SubnetsService], exports: [SubnetsService] })
export class SubnetsModule {
  constructor() {
    // The hook list is static, and one process may build the app more than once (tests).
    if (!NetworksService.beforeDelete.includes(deleteNetworkSubnets)) NetworksService.beforeDelete.push(deleteNetworkSubnets);
    // First: DHCP ports must be gone before the subnets' hook checks the network has no ports left.
    if (!NetworksService.beforeDelete.includes(deleteNetworkDhcp)) NetworksService.beforeDelete.unshift(deleteNetworkDhcp);
  }
}
