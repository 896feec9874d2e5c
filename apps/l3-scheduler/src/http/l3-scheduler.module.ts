import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { L3Runtime } from '../runtime';
import { HostsL3Controller } from './hosts-l3.controller';
import { callerFromHeaders, type CallerResolver } from './neutron-http';
import { NeutronL3Controller } from './neutron-l3.controller';
import { L3_CALLER } from './tokens';

export interface L3SchedulerModuleOptions {
  /** The wired runtime (read model, projector, scheduler); see apps/l3-scheduler/README.md. */
  runtime: L3Runtime;
  /** Reads the caller from a request; defaults to the X-Project-Id / X-Roles headers (noauth: admin). */
  caller?: CallerResolver;
  /** Start the runtime when the app boots and stop it on shutdown (embedded mode); otherwise the owner does. */
  manageLifecycle?: boolean;
}

const OPTIONS = Symbol('L3_SCHEDULER_MODULE_OPTIONS');

/**
 * HTTP for the L3 side: the agent-facing `/v1/hosts/{host}/l3` (+ `?since=`,
 * `/watch`), the HA state report, and Neutron's `/v2.0/routers/{id}/l3-agents`
 * and `/v2.0/agents/{id}/l3-routers`. Errors are HttpExceptions whose body is
 * Neutron's `{"NeutronError": {type, message, detail}}`.
 */
@Module({})
export class L3SchedulerModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(OPTIONS) private readonly options: L3SchedulerModuleOptions) {}

  static forRoot(options: L3SchedulerModuleOptions): DynamicModule {
    return {
      module: L3SchedulerModule,
      controllers: [HostsL3Controller, NeutronL3Controller],
      providers: [
        { provide: OPTIONS, useValue: options },
        { provide: L3Runtime, useValue: options.runtime },
        { provide: L3_CALLER, useValue: options.caller ?? callerFromHeaders },
      ],
      exports: [L3Runtime],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.manageLifecycle) await this.options.runtime.start();
  }

  /** Before the HTTP server closes: it would wait for open watch streams forever. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.options.manageLifecycle) await this.options.runtime.stop();
    else this.options.runtime.endWatches();
  }
}
