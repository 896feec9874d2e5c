import { Command, Option } from 'commander';
import { EventStore, EventTable, openDatabase } from '@cp/store';
import { eventStoreConfig, RejectionError } from '@cp/write-model';
import { parseAuditQuery, queryAudit, type AuditEvent } from '../audit/audit.query';
import { requireEventStore, UsageError } from '../embedded/embedded-models';

interface EventsFlags {
  dataDir: string;
  eventStoreUrl?: string;
  eventStoreSchema?: string;
  json?: boolean;
  [filter: string]: string | boolean | undefined;
}

/** The audit filters of GET /v1/events, as flags (`--resource-id`, `--after`, ...). */
const FILTERS = [
  'resource_type',
  'resource_id',
  'project_id',
  'actor',
  'request_id',
  'type',
  'after',
  'until_position',
  'since',
  'until',
  'limit',
];

/**
 * `controlplane events`: the change history straight from the event store, as
 * `GET /v1/events` filters it, without a running server (a post-mortem on a
 * stopped controller, or a PostgreSQL store). One line per event, or JSON lines.
 */
export function addEventsCommand(program: Command, say: (line: string) => void): void {
  const command = program
    .command('events')
    .description('print stored events, filtered as GET /v1/events does (read-only; a server may be running)')
    .addOption(new Option('--data-dir <dir>', 'data directory').env('CP_DATA_DIR').default('./data'))
    .addOption(new Option('--event-store-url <url>', 'PostgreSQL event store instead').env('CP_EVENT_STORE_URL'))
    .addOption(new Option('--event-store-schema <schema>', 'its schema').env('CP_EVENT_STORE_SCHEMA'));
  for (const f of FILTERS) command.option(`--${f.replace(/_/g, '-')} <value>`, filterHelp(f));
  command.option('--json', 'one JSON object per line, with the event data').action(async (o: EventsFlags) => {
    const raw = Object.fromEntries(FILTERS.flatMap((f) => (typeof o[camel(f)] === 'string' ? [[f, o[camel(f)] as string]] : [])));
    let query;
    try {
      query = parseAuditQuery(raw);
    } catch (e) {
      if (e instanceof RejectionError) throw new UsageError(e.message);
      throw e;
    }
    const config = eventStoreConfig({ dataDir: o.dataDir, eventStoreUrl: o.eventStoreUrl, eventStoreSchema: o.eventStoreSchema });
    if (config.kind === 'sqlite') requireEventStore(o.dataDir);
    const db = await openDatabase(config, [EventTable]);
    try {
      for (const e of await queryAudit(new EventStore(db), query)) say(o.json ? JSON.stringify(e) : line(e));
    } finally {
      await db.close();
    }
  });
}

function line(e: AuditEvent): string {
  return `${e.position} ${e.occurred_at} ${e.type} ${e.resource_type}/${e.resource_id} by ${e.actor} (project ${e.project_id}, request ${e.request_id})`;
}

function camel(flag: string): string {
  return flag.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
}

function filterHelp(f: string): string {
  if (f === 'after') return 'only events after this position';
  if (f === 'until_position') return 'only events up to this position';
  if (f === 'since' || f === 'until') return `time range (RFC 3339), ${f === 'since' ? 'from' : 'to'}, inclusive`;
  if (f === 'limit') return 'at most this many (1-1000, default 100)';
  return `only events with this ${f.replace(/_/g, ' ')}`;
}
