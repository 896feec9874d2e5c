import { Module } from '@nestjs/common';
import { SecurityGroupRulesController } from './security-group-rules.controller';
import { SecurityGroupRulesService } from './security-group-rules.service';
import { SecurityGroupsController } from './security-groups.controller';
import { SecurityGroupsService } from './security-groups.service';

@Module({
  controllers: [SecurityGroupsController, SecurityGroupRulesController],
  providers: [SecurityGroupsService, SecurityGroupRulesService],
  exports: [SecurityGroupsService],
})
export class SecurityGroupsModule {}
