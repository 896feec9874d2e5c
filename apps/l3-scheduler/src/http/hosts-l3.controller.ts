import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Logger,
  Param,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Explanation } from '@cp/host-feed';
import { L3Explainer } from '../explain/explain-l3';
import {
  AgentDocument,
  AgentWatch,
  API_TAGS,
  documentAtOrFail,
  NeutronExceptionFilter,
  Tagged,
  takeOver,
  type HttpReply,
  type HttpRequest,
} from '@cp/runtime';
import { L3_DELTA_EXAMPLE, L3_SNAPSHOT_EXAMPLE } from '../contract/l3-examples';
import type { L3Changes, L3Snapshot } from '../contract/l3-documents';
import {
  haStateBody,
  haStatesBody,
  MAX_BATCH,
  reportHaState,
  reportHaStates,
  type HaStateReport,
  type HaStatesResult,
  type Reporter,
} from '../reports/report-ha-state';
import { l3Feed, L3Runtime } from '../runtime';
import { l3CallerOf, neutronFail } from './neutron-http';

const alarms = new Logger('HaState');

/**
 * Who reports: the agent's own identity with Keystone; without it, the host's agent by name.
 * A split-brain it causes or ends is one log line (warn / log), beside its event.
 */
function reporter(host: string, req: HttpRequest): Reporter {
  const caller = l3CallerOf(req);
  return {
    actor: caller.actor === 'noauth-admin' ? `l3-agent:${host}` : caller.actor,
    requestId: caller.requestId,
    now: new Date().toISOString(),
    onAlarm: (e) =>
      e.type === 'RouterSplitBrainDetected'
        ? alarms.warn(`split-brain: router ${e.data.routerId} is active on ${e.data.hosts.join(', ')}; ${e.data.activeHost} stays active`)
        : alarms.log(`split-brain over: router ${e.data.routerId} is active on ${e.data.activeHost ?? 'no host'}`),
  };
}

/** The L3 agent's side: its routers (snapshot, deltas, a change stream) and its HA state reports. */
// Neutron error bodies wherever the module is mounted (the API, its own process, a test app).
@UseFilters(NeutronExceptionFilter)
@Tagged(API_TAGS.agentL3)
@Controller('v1/hosts/:host')
export class HostsL3Controller {
  // Only this host's agents (or the service, an admin) reach these routes: the authentication middleware checks the host.
  constructor(private readonly runtime: L3Runtime) {}

  /** Provenance of a router on the host: why it runs there, its HA network and VRID, the states reported; or why it is not there. */
  @Get('l3/explain')
  @ApiOperation({
    summary: "Why a router is (or is not) in a host's L3 document",
    description:
      '?router=<id>. Answers {present, because: [events with position, time, actor, request id, type and what each did], absent_because}.',
  })
  explain(@Param('host') host: string, @Query('router') router?: string): Promise<Explanation> {
    if (!router) throw new BadRequestException('explain one router: ?router=<id>');
    return new L3Explainer(this.runtime.store, (h) => this.runtime.feed.snapshot(h)).router(host, router);
  }

  /** Without `since`: the host's routers. With it: what changed since, or a snapshot marked `resync: true`. */
  @Get('l3')
  @AgentDocument('L3 (HA routers, VRIDs, interfaces, NAT)', { snapshot: L3_SNAPSHOT_EXAMPLE, delta: L3_DELTA_EXAMPLE })
  get(@Param('host') host: string, @Query('since') since?: string, @Query('at') at?: string): Promise<L3Snapshot | L3Changes> {
    // ?at=<position|RFC 3339 time>: the document the host had then (time travel).
    if (at !== undefined) return documentAtOrFail(this.runtime.options.history, (db, h) => l3Feed(db).snapshot(h), host, at);
    return this.runtime.feed.document(host, since);
  }

  /**
   * Server-sent events (`event: l3`): first the changes since `Last-Event-ID`
   * (a reconnecting client) or `since` (a resync snapshot without either), then
   * each change as it commits. Every message's id is its revision, so a
   * reconnecting client resumes exactly.
   */
  @Get('l3/watch')
  @AgentWatch('L3', 'l3')
  watch(
    @Param('host') host: string,
    @Query('since') since: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: HttpRequest,
    @Res() reply: HttpReply,
  ): void {
    const { req, res } = takeOver(request, reply);
    this.runtime.feed.watch(host, { since, lastEventId }, req, res);
  }

  /** The agent reports keepalived's state of a router it runs; 404 when the router is not scheduled on this host. */
  @Put('routers/:routerId/ha_state')
  @HttpCode(200)
  async reportHaState(
    @Param('host') host: string,
    @Param('routerId') routerId: string,
    @Body() body: unknown,
    @Req() req: HttpRequest,
  ): Promise<{ ha_state: HaStateReport }> {
    const parsed = haStateBody.safeParse(body);
    if (!parsed.success) {
      neutronFail(400, 'InvalidInput', `Invalid input for operation: state must be one of active, standby, fault, unknown.`);
    }
    const result = await reportHaState(
      this.runtime.options.writeSide.runner,
      { host, routerId, state: parsed.data.state },
      reporter(host, req),
    );
    return { ha_state: result };
  }

  /**
   * Every router's state in one call (`{"states": {"<router_id>": "active", ...}}`),
   * as Neutron's agents report after a sync. Routers not on this host come back
   * under `rejected`; the others are recorded.
   */
  @Put('ha_states')
  @HttpCode(200)
  async reportHaStates(@Param('host') host: string, @Body() body: unknown, @Req() req: HttpRequest): Promise<HaStatesResult> {
    const parsed = haStatesBody.safeParse(body);
    if (!parsed.success) {
      neutronFail(
        400,
        'InvalidInput',
        `Invalid input for operation: states must map router UUIDs to active, standby, fault or unknown (at most ${MAX_BATCH}).`,
      );
    }
    return reportHaStates(this.runtime.options.writeSide.runner, { host, states: parsed.data.states }, reporter(host, req));
  }
}
