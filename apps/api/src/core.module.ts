import { Global, Module, type DynamicModule } from '@nestjs/common';
import { SETTINGS, type Settings } from './config';
import { WRITE_SIDE, type WriteSide } from '@cp/write-model';

/** Makes the process-wide write side and settings injectable everywhere. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(ws: WriteSide, settings: Settings): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: WRITE_SIDE, useValue: ws },
        { provide: SETTINGS, useValue: settings },
      ],
      exports: [WRITE_SIDE, SETTINGS],
    };
  }
}
