import { Global, Module, type DynamicModule } from '@nestjs/common';
import { SETTINGS, type Settings } from './config';
import { WRITE_SIDE, type WriteSide } from '@cp/write-model';
import { QuotaGuard } from './quotas/quota-guard';

/** Makes the process-wide write side, settings and quota guard injectable everywhere. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(ws: WriteSide, settings: Settings): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: WRITE_SIDE, useValue: ws }, { provide: SETTINGS, useValue: settings }, QuotaGuard],
      exports: [WRITE_SIDE, SETTINGS, QuotaGuard],
    };
  }
}
