import { Module } from '@nestjs/common';
import { AgentReportsController, AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';

@Module({ controllers: [AgentsController, AgentReportsController], providers: [AgentsService], exports: [AgentsService] })
export class AgentsModule {}
