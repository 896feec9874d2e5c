import { z } from 'zod';
import type { EventStore } from '@cp/store';
import { fail } from '@cp/write-model';
import type { Query } from '../platform/list-query';

/** Filters of `GET /v1/events` (design.md §5); all optional and ANDed. */
const schema = z.strictObject({
  resource_type: z.string().max(40).optional(),
  resource_id: z.string().max(200).optional(),
  project_id: z.string().max(64).optional(),
  actor: z.string().max(255).optional(),
  request_id: z.string().max(64).optional(),
  type: z.string().max(64).optional(),
  /** Position range: strictly after `after`, at most `until_position`. */
  after: z.coerce.number().int().nonnegative().optional(),
  until_position: z.coerce.number().int().positive().optional(),
  /** Time range on occurred_at (ISO 8601), inclusive. */
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AuditQuery = z.infer<typeof schema>;

export function parseAuditQuery(q: Query): AuditQuery {
  const flat = Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v]));
  const parsed = schema.safeParse(flat);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const what =
      issue.code === 'unrecognized_keys' ? `unknown filter(s) ${issue.keys.join(', ')}` : `${issue.path.join('.')}: ${issue.message}`;
    fail(400, 'HTTPBadRequest', `Invalid audit query: ${what}.`);
  }
  return parsed.data;
}

/** SQL WHERE clause for the filters; column names are fixed here, values are bound. */
export function auditWhere(q: AuditQuery): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const eq = (column: string, value: unknown) => {
    if (value === undefined) return;
    clauses.push(`${column} = ?`);
    params.push(value);
  };
  eq('resource_type', q.resource_type);
  eq('resource_id', q.resource_id);
  eq('project_id', q.project_id);
  eq('actor', q.actor);
  eq('request_id', q.request_id);
  eq('type', q.type);
  clauses.push('position > ?');
  params.push(q.after ?? 0);
  if (q.until_position !== undefined) {
    clauses.push('position <= ?');
    params.push(q.until_position);
  }
  // occurred_at is stored as ISO text in UTC, so text order is time order.
  if (q.since) {
    clauses.push('occurred_at >= ?');
    params.push(new Date(q.since).toISOString());
  }
  if (q.until) {
    clauses.push('occurred_at <= ?');
    params.push(new Date(q.until).toISOString());
  }
  return { sql: clauses.join(' AND '), params };
}

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

/** One stored event as the audit log shows it (`GET /v1/events`, `controlplane events`). */
export type AuditEvent = ReturnType<typeof toAuditEvent>;

/** The events matching `q`, in log order, at most `q.limit`. */
export async function queryAudit(store: EventStore, q: AuditQuery): Promise<AuditEvent[]> {
  const { sql, params } = auditWhere(q);
  // Never past a writer in flight: a client following `next` must not page over an event that commits late.
  const upTo = await store.readableUpTo();
  const rows = await store.db.all<AuditRow>(
    `SELECT position, event_id, type, schema_version, stream_id, stream_version, resource_type, resource_id,
            project_id, actor, request_id, causation_id, occurred_at, data
     FROM events WHERE ${sql} AND position <= ? ORDER BY position LIMIT ?`,
    [...params, upTo, q.limit],
  );
  return rows.map(toAuditEvent);
}

function toAuditEvent(r: AuditRow) {
  return {
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
  };
}
