import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DhcpRuntime, type DhcpRuntimeOptions } from '../runtime';
import { HostsDhcpController } from './hosts-dhcp.controller';

/** Starts the projector before the app serves; ends watch streams before the HTTP server closes. */
@Injectable()
class DhcpLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(DhcpRuntime) private readonly runtime: DhcpRuntime) {}

  onApplicationBootstrap(): Promise<void> {
    return this.runtime.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.runtime.stop();
  }
}

/**
 * The DHCP agent read model as a Nest module: `GET /v1/hosts/{host}/dhcp[?since=]`
 * and `/v1/hosts/{host}/dhcp/watch`. Embedded in the API process or standalone;
 * the database's lifetime belongs to whoever opened it.
 */
@Module({})
export class DhcpProjectorModule {
  static forRoot(options: DhcpRuntimeOptions): DynamicModule {
    return {
      module: DhcpProjectorModule,
      controllers: [HostsDhcpController],
      providers: [{ provide: DhcpRuntime, useFactory: () => new DhcpRuntime(options) }, DhcpLifecycle],
      exports: [DhcpRuntime],
    };
  }
}
