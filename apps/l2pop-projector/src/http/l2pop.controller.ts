import { Controller, Get, Headers, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { AgentDocument, AgentWatch, API_TAGS, NeutronExceptionFilter, Tagged } from '@cp/runtime';
import { L2_DELTA_EXAMPLE, L2_RESYNC_EXAMPLE, L2_SNAPSHOT_EXAMPLE } from '../contract/l2-examples';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { L2Changes, L2Snapshot } from '../contract/l2-documents';
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
