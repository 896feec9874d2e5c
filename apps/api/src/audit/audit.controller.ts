import { API_TAGS, Tagged } from '@cp/runtime';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../platform/ctx.decorator';
import type { Query as ListQuery } from '../platform/list-query';
import { enforce, may, type RequestContext } from '../platform/request-context';
import { WRITE_SIDE, type WriteSide } from '@cp/write-model';
import { parseAuditQuery, queryAudit } from './audit.query';

/** The change history: who changed what, when, through which request. */
@Tagged(API_TAGS.audit)
@Controller('v1/events')
export class AuditController {
  constructor(@Inject(WRITE_SIDE) private readonly ws: WriteSide) {}

  @Get()
  @ApiOperation({
    summary: 'Audit log of stored events',
    description:
      'Filters: resource_type, resource_id, project_id, actor, request_id, type, after (position), until_position, since, until (ISO times), limit (1-1000). Non-admins see only their project. Follow `next` for the following page.',
  })
  async list(@Ctx() ctx: RequestContext, @Query() raw: ListQuery) {
    const q = parseAuditQuery(raw);
    // get_events: an admin reads all; anyone else is pinned to its own project, whatever it asks for.
    if (!may(ctx, 'get_events', {})) q.project_id = ctx.projectId;
    enforce(ctx, 'get_events', { project_id: ctx.projectId });
    const events = await queryAudit(this.ws.store, q);
    const last = events.at(-1);
    const nextQuery = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...raw, after: String(last?.position ?? '') })) {
      for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') nextQuery.append(k, x);
    }
    return { events, next: events.length === q.limit && last ? `/v1/events?${nextQuery.toString()}` : null };
  }
}
