import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { DhcpAgentsController } from './dhcp-agents.controller';
import { DhcpAgentsService } from './dhcp-agents.service';

@Module({ imports: [AgentsModule], controllers: [DhcpAgentsController], providers: [DhcpAgentsService] })
export class DhcpModule {}
