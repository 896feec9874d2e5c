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
import { L3Runtime, type L3RuntimeOptions } from '../runtime';
import { HostsL3Controller } from './hosts-l3.controller';
import { NeutronL3Controller } from './neutron-l3.controller';

/** The callers of the module's routes come from the process's authentication middleware (@cp/auth). */
export type L3SchedulerModuleOptions = L3RuntimeOptions;

export interface L3SchedulerAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => L3SchedulerModuleOptions | Promise<L3SchedulerModuleOptions>;
}

export const L3_OPTIONS = Symbol('L3_SCHEDULER_OPTIONS');

/** Starts scheduler and projector before the app serves; ends watch streams before the HTTP server closes. */
@Injectable()
class L3Lifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(L3Runtime) private readonly runtime: L3Runtime) {}

  onApplicationBootstrap(): Promise<void> {
    return this.runtime.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.runtime.stop();
  }
}

/**
 * The L3 side as a Nest module: the HA scheduler (process manager) and the L3
 * read model's projector running in this process, the agent-facing
 * `/v1/hosts/{host}/l3` (+ `?since=`, `/watch`), the HA state report, Neutron's
 * `/v2.0/routers/{id}/l3-agents` and `/v2.0/agents/{id}/l3-routers`. Errors are
 * HttpExceptions whose body is Neutron's `{"NeutronError": {type, message, detail}}`.
 * The databases' lifetime belongs to whoever opened them.
 */
@Module({})
export class L3SchedulerModule {
  static forRoot(options: L3SchedulerModuleOptions): DynamicModule {
    return L3SchedulerModule.build([{ provide: L3_OPTIONS, useValue: options }], []);
  }

  static forRootAsync(options: L3SchedulerAsyncOptions): DynamicModule {
    return L3SchedulerModule.build(
      [
        {
          provide: L3_OPTIONS,
          useFactory: options.useFactory as (...args: unknown[]) => L3SchedulerModuleOptions,
          inject: options.inject ?? [],
        },
      ],
      options.imports ?? [],
    );
  }

  private static build(options: Provider[], imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
    return {
      module: L3SchedulerModule,
      imports,
      controllers: [HostsL3Controller, NeutronL3Controller],
      providers: [
        ...options,
        { provide: L3Runtime, useFactory: (o: L3SchedulerModuleOptions) => new L3Runtime(o), inject: [L3_OPTIONS] },
        L3Lifecycle,
      ],
      exports: [L3Runtime],
    };
  }
}
