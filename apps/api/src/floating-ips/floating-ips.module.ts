import { Module } from '@nestjs/common';
import { NetworksService } from '../networks/networks.service';
import { FloatingIpsController } from './floating-ips.controller';
import { deleteNetworkFloatingIps, FloatingIpsService } from './floating-ips.service';

@Module({ controllers: [FloatingIpsController], providers: [FloatingIpsService] })
export class FloatingIpsModule {
  constructor() {
    // First: the floating IPs' ports must be gone before the subnets' hook checks the network has no ports left.
    // The hook list is static, and one process may build the app more than once (tests).
    if (!NetworksService.beforeDelete.includes(deleteNetworkFloatingIps)) NetworksService.beforeDelete.unshift(deleteNetworkFloatingIps);
  }
}
