import {
  BadRequestException,
  Controller,
  Get,
  Headers,
  Inject,
  NotImplementedException,
  Param,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AgentDocument, AgentWatch, API_TAGS, NeutronExceptionFilter, Tagged } from '@cp/runtime';
import { L2_DELTA_EXAMPLE, L2_RESYNC_EXAMPLE, L2_SNAPSHOT_EXAMPLE } from '../contract/l2-examples';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { L2Changes, L2Snapshot } from '../contract/l2-documents';
import type { Explanation } from '../explain/causes';
import { parseExplainQuery } from '../explain/explain-query';
import { L2popRuntime } from '../runtime';

/** The L2 agent's view of its host (design.md §5). Thin: the runtime's feed does the work. */
// Neutron error bodies wherever the module is mounted (the API, its own process, a test app).
@UseFilters(NeutronExceptionFilter)
@Tagged(API_TAGS.agentL2)
@Controller('v1/hosts')
export class L2popController {
  constructor(@Inject(L2popRuntime) private readonly runtime: L2popRuntime) {}

  /** The snapshot, or with `?since=<revision>` the changes since then (a snapshot marked `resync: true` when it cannot). */
  @Get(':host/l2')
  @AgentDocument('L2 (FDB, flood lists, ipsets)', { snapshot: L2_SNAPSHOT_EXAMPLE, delta: L2_DELTA_EXAMPLE, resync: L2_RESYNC_EXAMPLE })
  get(@Param('host') host: string, @Query('since') since?: string): Promise<L2Snapshot | L2Changes> {
    return this.runtime.feed.document(host, since);
  }

  /** Provenance of one entry of the host's document: the events that put it there, or why it is absent. */
  @Get(':host/l2/explain')
  @ApiOperation({
    summary: "Why an entry is (or is not) in a host's L2 document",
    description:
      '?network=&tunnel_ip=&mac= for an FDB pair (without mac: the flood entry), or ?ipset=&member= for a set member. Answers {present, because: [events with position, time, actor, request id, type and what each did], absent_because}.',
  })
  explain(@Param('host') host: string, @Query() raw: Record<string, unknown>): Promise<Explanation> {
    const explainer = this.runtime.explainer;
    if (!explainer) throw new NotImplementedException('provenance needs the event log, which this process does not read');
    const q = parseExplainQuery(raw);
    if (typeof q === 'string') throw new BadRequestException(q);
    return 'ipset' in q ? explainer.ipsetMember(host, q.ipset, q.member) : explainer.fdb(host, q.network, q.tunnel_ip, q.mac);
  }

  /** Server-sent events: each message a change document; Last-Event-ID (set by reconnecting clients) wins over `since`. */
  @Get(':host/l2/watch')
  @AgentWatch('L2', 'l2')
  watch(
    @Param('host') host: string,
    @Query('since') since: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): void {
    this.runtime.feed.watch(host, { since, lastEventId }, req, res);
  }
}
