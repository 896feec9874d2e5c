import { Module } from '@nestjs/common';
import { RouterInterfacesService } from './router-interfaces.service';
import { RoutersController } from './routers.controller';
import { RoutersService } from './routers.service';

@Module({ controllers: [RoutersController], providers: [RoutersService, RouterInterfacesService], exports: [RoutersService] })
export class RoutersModule {}
