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
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
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
import { L2_DELTA_EXAMPLE, L2_ENTRY_DELTA_EXAMPLE, L2_RESYNC_EXAMPLE, L2_SNAPSHOT_EXAMPLE } from '../contract/l2-examples';
import type { L2Changes, L2DeltaFormat, L2Snapshot } from '../contract/l2-documents';
import type { Explanation } from '@cp/host-feed';
import { parseExplainQuery } from '../explain/explain-query';
import { diffL2, type L2Diff } from '../explain/diff-l2';
import { l2Feed, L2popRuntime } from '../runtime';

const DELTA_QUERY = ApiQuery({
  name: 'delta',
  required: false,
  enum: ['lists', 'entries'],
  description:
    'with since: `entries` gives flood IPs, FDB entries and set members added and removed (its size follows what changed); `lists` (the default, the first format) gives each changed remote and set whole',
});

/** `?delta=`: the delta format asked for, the first one when absent. */
function deltaFormat(delta: string | undefined): L2DeltaFormat {
  if (delta === undefined || delta === 'lists' || delta === 'entries') return delta ?? 'lists';
  throw new BadRequestException(`delta must be 'entries' or 'lists', not '${delta}'`);
}

/** The L2 agent's view of its host (design.md §5). Thin: the runtime's feed does the work. */
// Neutron error bodies wherever the module is mounted (the API, its own process, a test app).
@UseFilters(NeutronExceptionFilter)
@Tagged(API_TAGS.agentL2)
@Controller('v1/hosts')
export class L2popController {
  constructor(@Inject(L2popRuntime) private readonly runtime: L2popRuntime) {}

  /** The snapshot, or with `?since=<revision>` the changes since then (a snapshot marked `resync: true` when it cannot). */
  @Get(':host/l2')
  @AgentDocument('L2 (FDB, flood lists, ipsets)', {
    snapshot: L2_SNAPSHOT_EXAMPLE,
    delta: L2_DELTA_EXAMPLE,
    resync: L2_RESYNC_EXAMPLE,
    more: { entries: { summary: 'with since and delta=entries', value: L2_ENTRY_DELTA_EXAMPLE } },
  })
  @DELTA_QUERY
  get(
    @Param('host') host: string,
    @Query('since') since?: string,
    @Query('at') at?: string,
    @Query('delta') delta?: string,
  ): Promise<L2Snapshot | L2Changes> {
    const format = deltaFormat(delta);
    if (at !== undefined) return this.at(host, at);
    return this.runtime.feed.document(host, since, format);
  }

  /** `?at=<position|RFC 3339 time>`: the document the host had then, with the position it is as of. */
  private at(host: string, at: string): Promise<L2Snapshot & { position: number }> {
    return documentAtOrFail(this.runtime.options.history, (db, h) => l2Feed(db).snapshot(h), host, at);
  }

  /** What the host's agent had to change between two points of the log (positions or RFC 3339 times). */
  @Get(':host/l2/diff')
  @ApiOperation({
    summary: "What changed in a host's L2 document between two points of the log",
    description:
      '?from=&to= (log positions or RFC 3339 times; `to` defaults to now): per network the flood and FDB entries added and removed, per ipset the members, and the ports and groups added, removed or changed.',
  })
  async diff(@Param('host') host: string, @Query('from') from?: string, @Query('to') to?: string): Promise<L2Diff> {
    if (from === undefined) throw new BadRequestException('diff needs from=<position or RFC 3339 time> (and optionally to=)');
    const a = await this.at(host, from);
    const b = await this.at(host, to ?? String(Number.MAX_SAFE_INTEGER));
    return diffL2(a, b);
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
  @DELTA_QUERY
  watch(
    @Param('host') host: string,
    @Query('since') since: string | undefined,
    @Query('delta') delta: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: HttpRequest,
    @Res() reply: HttpReply,
  ): void {
    const format = deltaFormat(delta);
    const { req, res } = takeOver(request, reply);
    this.runtime.feed.watch(host, { since, lastEventId, format }, req, res);
  }
}
