import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../platform/ctx.decorator';
import type { Query as ListQuery } from '../platform/list-query';
import { enforce, may, type RequestContext } from '../platform/request-context';
import { WRITE_SIDE, type WriteSide } from '@cp/write-model';
import { auditWhere, parseAuditQuery } from './audit.query';

interface AuditRow {
  position: number | string;
  event_id: string;
  type: string;
  schema_version: number;
  stream_id: string;
  stream_version: number;
  resource_type: string;
  resource_id: string;
  project_id: string;
  actor: string;
  request_id: string;
  causation_id: string | null;
  occurred_at: string;
  data: string;
}

/** The change history: who changed what, when, through which request. */
@ApiTags('audit')
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
    const { sql, params } = auditWhere(q);
    const rows = await this.ws.db.all<AuditRow>(
      `SELECT position, event_id, type, schema_version, stream_id, stream_version, resource_type, resource_id,
              project_id, actor, request_id, causation_id, occurred_at, data
       FROM events WHERE ${sql} ORDER BY position LIMIT ?`,
      [...params, q.limit],
    );
    const events = rows.map((r) => ({
      position: Number(r.position),
      event_id: r.event_id,
      type: r.type,
      schema_version: r.schema_version,
      stream_id: r.stream_id,
      stream_version: Number(r.stream_version),
      resource_type: r.resource_type,
      resource_id: r.resource_id,
      project_id: r.project_id,
      actor: r.actor,
      request_id: r.request_id,
      causation_id: r.causation_id,
      occurred_at: r.occurred_at,
      data: JSON.parse(r.data) as unknown,
    }));
    const last = events.at(-1);
    const nextQuery = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...raw, after: String(last?.position ?? '') })) {
      for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') nextQuery.append(k, x);
    }
    return { events, next: events.length === q.limit && last ? `/v1/events?${nextQuery.toString()}` : null };
  }
}
