import 'reflect-metadata';
import { Body, Controller, Inject, Module, Param, Put, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DomainEventBody } from '@cp/events';
import { type Database, EventStore, EventTable, openDatabase } from '@cp/store';
import { httpAdapter, type HttpApp } from '@cp/runtime';
import { L2popModule } from '../../../apps/l2pop-projector/src/http/l2pop.module';
import { L2popRuntime, openReadModel } from '../../../apps/l2pop-projector/src/runtime';
import { appendBodies } from './harness';

/**
 * Stands in for the API team's `PUT /v1/agents/{type}/{host}`: registration
 * appends AgentRegistered, a changed tunnel IP AgentConfigurationChanged, and a
 * plain heartbeat nothing (heartbeats are not events).
 */
@Controller('v1/agents')
class AgentsFixtureController {
  constructor(@Inject(EventStore) private readonly store: EventStore) {}

  @Put(':type/:host')
  async put(@Param('type') type: string, @Param('host') host: string, @Body() body: { tunnel_ip: string; availability_zone: string }) {
    const id = `agent-${type.split(' ')[0]}-${host}`;
    const stream = await this.store.readStream(`agent:${id}`);
    const last = stream[stream.length - 1] as { data: { tunnelIp?: string | null } } | undefined;
    if (last && last.data.tunnelIp === body.tunnel_ip) return { agent: id };
    const data = {
      id,
      agentType: type,
      host,
      binary: 'neutron-openvswitch-agent',
      topic: 'N/A',
      tunnelIp: body.tunnel_ip,
      availabilityZone: body.availability_zone,
      configurations: {},
    };
    const event: DomainEventBody = last ? { type: 'AgentConfigurationChanged', data } : { type: 'AgentRegistered', data };
    await appendBodies(this.store, [event]);
    return { agent: id };
  }
}

/** The L2 module the way the API app embeds it, plus the agents fixture, over SQLite files in `dir`. */
export class L2Server {
  private constructor(
    readonly app: HttpApp,
    readonly url: string,
    readonly port: number,
    readonly store: EventStore,
    private readonly dbs: Database[],
  ) {}

  static async start(dir: string, port = 0): Promise<L2Server> {
    const eventsDb = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }, [EventTable]);
    const store = new EventStore(eventsDb);
    const db = await openReadModel({ kind: 'sqlite', path: join(dir, 'l2pop.sqlite'), synchronous: 'NORMAL' });

    @Module({ controllers: [AgentsFixtureController], providers: [{ provide: EventStore, useValue: store }] })
    class FixtureModule {}
    const root: DynamicModule = {
      module: class TestApp {},
      imports: [FixtureModule, L2popModule.forRootAsync({ useFactory: () => ({ db, store, pollMs: 1000 }) })],
    };
    const app = await NestFactory.create<HttpApp>(root, httpAdapter(), { logger: false });
    await app.listen(port, '127.0.0.1');
    const actual = (app.getHttpServer().address() as AddressInfo).port;
    return new L2Server(app, `http://127.0.0.1:${actual}`, actual, store, [db, eventsDb]);
  }

  get runtime(): L2popRuntime {
    return this.app.get(L2popRuntime);
  }

  async append(...bodies: Array<DomainEventBody | DomainEventBody[]>): Promise<number> {
    const position = await appendBodies(this.store, bodies.flat());
    await this.runtime.projector!.waitFor(position);
    return position;
  }

  async stop(): Promise<void> {
    await this.app.close();
    for (const db of this.dbs) await db.close();
  }
}

/** Polls until `check` holds (for things that arrive over the network). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
