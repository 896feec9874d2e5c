import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Put, Query, Req, Sse, type MessageEvent, UseFilters } from '@nestjs/common';
import { NeutronExceptionFilter } from '@cp/runtime';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { isEmptyDelta, type L3Changes, type L3Snapshot } from '../contract/l3-documents';
import { haStateBody, reportHaState, type HaStateReport } from '../reports/report-ha-state';
import { L3Runtime } from '../runtime';
import { neutronFail, type CallerResolver } from './neutron-http';
import { L3_CALLER } from './tokens';

/** The L3 agent's side: its routers (snapshot, deltas, a change stream) and its HA state reports. */
// Neutron error bodies wherever the module is mounted (the API, its own process, a test app).
@UseFilters(NeutronExceptionFilter)
@Controller('v1/hosts/:host')
export class HostsL3Controller {
  constructor(
    private readonly runtime: L3Runtime,
    @Inject(L3_CALLER) private readonly caller: CallerResolver,
  ) {}

  /** Without `since`: the host's routers. With it: what changed since, or a snapshot marked `resync: true`. */
  @Get('l3')
  get(@Param('host') host: string, @Query('since') since?: string): Promise<L3Snapshot | L3Changes> {
    return since === undefined ? this.runtime.queries.snapshot(host) : this.runtime.queries.changes(host, since);
  }

  /**
   * Server-sent events: first the changes since `since` (or `Last-Event-ID` on a
   * reconnect; a resync snapshot without either), then each change as it commits.
   * Every message's id is its revision, so a reconnecting client resumes exactly.
   */
  @Sse('l3/watch')
  watch(@Param('host') host: string, @Query('since') since?: string, @Headers('last-event-id') lastEventId?: string): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let current: string | null = since ?? lastEventId ?? null;
      let first = true;
      let busy = false;
      let again = false;
      const push = async () => {
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            const doc = await this.runtime.queries.changes(host, current);
            if (first || !isEmptyDelta(doc)) subscriber.next({ id: doc.revision, type: 'l3', data: doc });
            first = false;
            current = doc.revision;
            this.runtime.poller.seen(host, doc.revision);
          } while (again && !subscriber.closed);
        } catch (err) {
          subscriber.error(err);
        } finally {
          busy = false;
        }
      };
      void push();
      const unsubscribe = this.runtime.hub.subscribe(host, () => void push());
      // Commits made by another process reach this hub through the runtime's revision poller.
      const untrack = this.runtime.track(() => subscriber.complete());
      return () => {
        unsubscribe();
        untrack();
      };
    });
  }

  /** The agent reports keepalived's state of a router it runs; 404 when the router is not scheduled on this host. */
  @Put('routers/:routerId/ha_state')
  @HttpCode(200)
  async reportHaState(
    @Param('host') host: string,
    @Param('routerId') routerId: string,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<{ ha_state: HaStateReport }> {
    const parsed = haStateBody.safeParse(body);
    if (!parsed.success) {
      neutronFail(400, 'InvalidInput', `Invalid input for operation: state must be one of active, standby, fault, unknown.`);
    }
    const caller = this.caller(req);
    const result = await reportHaState(
      this.runtime.options.writeSide.runner,
      { host, routerId, state: parsed.data.state },
      { actor: caller.actor === 'noauth-admin' ? `l3-agent:${host}` : caller.actor, requestId: caller.requestId, now: new Date().toISOString() },
    );
    return { ha_state: result };
  }
}
