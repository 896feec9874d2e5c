import { Module } from '@nestjs/common';
import { PortReportsController } from './port-reports.controller';
import { PortsController } from './ports.controller';
import { PortsService } from './ports.service';

@Module({ controllers: [PortsController, PortReportsController], providers: [PortsService], exports: [PortsService] })
export class PortsModule {}
