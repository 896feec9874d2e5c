import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import { L2popRuntime, type L2popOptions } from '../runtime';
import { L2popController } from './l2pop.controller';

export const L2POP_OPTIONS = Symbol('L2POP_OPTIONS');

/** Starts the projector before the app serves, and ends watch streams before the HTTP server closes. */
@Injectable()
class L2popLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(L2popRuntime) private readonly runtime: L2popRuntime) {}

  onApplicationBootstrap(): Promise<void> {
    return this.runtime.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.runtime.stop();
  }
}

export interface L2popAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => L2popOptions | Promise<L2popOptions>;
}

/**
 * The L2 agent read model as a Nest module: `GET /v1/hosts/{host}/l2[?since=]`
 * and `/v1/hosts/{host}/l2/watch`. Embedded in the API process or standalone;
 * it needs the read model's Database and, to project, the EventStore. The
 * database's lifetime belongs to whoever opened it.
 */
@Module({})
export class L2popModule {
  static forRoot(options: L2popOptions): DynamicModule {
    return L2popModule.build([{ provide: L2POP_OPTIONS, useValue: options }], []);
  }

  static forRootAsync(options: L2popAsyncOptions): DynamicModule {
    return L2popModule.build(
      [{ provide: L2POP_OPTIONS, useFactory: options.useFactory as (...args: unknown[]) => L2popOptions, inject: options.inject ?? [] }],
      options.imports ?? [],
    );
  }

  private static build(options: Provider[], imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
    return {
      module: L2popModule,
      imports,
      controllers: [L2popController],
      providers: [
        ...options,
        { provide: L2popRuntime, useFactory: (o: L2popOptions) => new L2popRuntime(o), inject: [L2POP_OPTIONS] },
        L2popLifecycle,
      ],
      exports: [L2popRuntime],
    };
  }
}
