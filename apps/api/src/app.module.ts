import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { Settings } from './config';
import { CoreModule } from './core.module';
import { DiscoveryController } from './discovery/discovery.controller';
import { UiController } from './ui/ui.controller';
import { AuditModule } from './audit/audit.module';
import { NetworksModule } from './networks/networks.module';
import { SecurityGroupsModule } from './security-groups/security-groups.module';
import { AgentsModule } from './agents/agents.module';
import { RoutersModule } from './routers/routers.module';
import { FloatingIpsModule } from './floating-ips/floating-ips.module';
import { DhcpModule } from './dhcp/dhcp.module';
import { SubnetsModule } from './subnets/subnets.module';
import { PortsModule } from './ports/ports.module';
import { QuotasModule } from './quotas/quotas.module';
import { TagsModule } from './tags/tags.module';
import type { WriteSide } from '@cp/write-model';

/** The Neutron API's slices. Embedded mode adds the projectors' and scheduler's modules. */
export const API_MODULES: Type[] = [
  NetworksModule,
  AuditModule,
  SecurityGroupsModule,
  AgentsModule,
  DhcpModule,
  RoutersModule,
  FloatingIpsModule,
  SubnetsModule,
  PortsModule,
  QuotasModule,
  TagsModule,
];

@Module({})
export class AppModule {
  static forRoot(ws: WriteSide, settings: Settings, extra: Array<Type | DynamicModule> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(ws, settings), ...API_MODULES, ...extra],
      controllers: [DiscoveryController, UiController],
    };
  }
}
