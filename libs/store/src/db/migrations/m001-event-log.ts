import { EventStoreMigration } from './event-store-migration';

/**
 * The event log as the first releases created it (then from the EventTable
 * entity). `IF NOT EXISTS` everywhere: a store written by such a release
 * already has all of it, and upgrading it only records this migration.
 */
export class M001EventLog extends EventStoreMigration {
  up(): void {
    this.sql(
      `CREATE TABLE IF NOT EXISTS events (position integer NOT NULL PRIMARY KEY AUTOINCREMENT, event_id text NOT NULL,
         stream_id text NOT NULL, stream_version integer NOT NULL, type text NOT NULL, schema_version integer NOT NULL,
         resource_type text NOT NULL, resource_id text NOT NULL, project_id text NOT NULL, actor text NOT NULL,
         request_id text NOT NULL, causation_id text NULL, occurred_at text NOT NULL, data text NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS events (position bigserial PRIMARY KEY, event_id varchar(36) NOT NULL,
         stream_id varchar(200) NOT NULL, stream_version int NOT NULL, type varchar(64) NOT NULL, schema_version int NOT NULL,
         resource_type varchar(40) NOT NULL, resource_id varchar(200) NOT NULL, project_id varchar(64) NOT NULL,
         actor varchar(255) NOT NULL, request_id varchar(64) NOT NULL, causation_id varchar(64) NULL,
         occurred_at varchar(40) NOT NULL, data text NOT NULL)`,
    );
    // Optimistic concurrency rests on this one: a stream version is taken once.
    this.addSql('CREATE UNIQUE INDEX IF NOT EXISTS events_stream_version_unique ON events (stream_id, stream_version)');
    this.addSql('CREATE UNIQUE INDEX IF NOT EXISTS events_event_id_unique ON events (event_id)');
    // The audit API's filters.
    for (const column of ['type', 'project_id', 'actor', 'request_id', 'occurred_at']) {
      this.addSql(`CREATE INDEX IF NOT EXISTS events_${column}_index ON events (${column})`);
    }
    this.addSql('CREATE INDEX IF NOT EXISTS events_resource_idx ON events (resource_type, resource_id)');
  }
}
