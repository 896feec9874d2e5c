import { Controller, Get, Headers, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
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
import { DHCP_DELTA_EXAMPLE, DHCP_SNAPSHOT_EXAMPLE } from '../contract/dhcp-examples';
import type { DhcpChanges, DhcpSnapshot } from '../contract/dhcp-documents';
import { dhcpFeed, DhcpRuntime } from '../runtime';

/** The DHCP agent's view of its host (design.md §5). Thin: the runtime's feed does the work. */
// Neutron error bodies wherever the module is mounted (the API, its own process, a test app).
@UseFilters(NeutronExceptionFilter)
@Tagged(API_TAGS.agentDhcp)
@Controller('v1/hosts')
export class HostsDhcpController {
  // Only this host's agents (or the service, an admin) reach these routes: authentication checks the host.
  constructor(@Inject(DhcpRuntime) private readonly runtime: DhcpRuntime) {}

  /** The networks this host serves; with `?since=<revision>` the changes since then (a snapshot marked `resync: true` when it cannot). */
  @Get(':host/dhcp')
  @AgentDocument('DHCP', { snapshot: DHCP_SNAPSHOT_EXAMPLE, delta: DHCP_DELTA_EXAMPLE })
  get(@Param('host') host: string, @Query('since') since?: string, @Query('at') at?: string): Promise<DhcpSnapshot | DhcpChanges> {
    // ?at=<position|RFC 3339 time>: the document the host had then (time travel).
    if (at !== undefined) {
      const { history } = this.runtime.options;
      return documentAtOrFail(history, (db, h) => dhcpFeed(db, this.runtime.config).snapshot(h), host, at);
    }
    return this.runtime.feed.document(host, since);
  }

  /** Server-sent events (`event: dhcp`), each message a change document; Last-Event-ID (a reconnecting client) wins over `since`. */
  @Get(':host/dhcp/watch')
  @AgentWatch('DHCP', 'dhcp')
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
}
