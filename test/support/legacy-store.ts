import BetterSqlite3 from 'better-sqlite3';
import { Client } from 'pg';
import type { DatabaseConfig } from '@cp/store';

/**
 * The event log as releases before versioned migrations made it (MikroORM's schema generator, from the EventTable
 * entity): this DDL is what they ran, so the upgrade is tested against the real old layout.
 */
export async function createLegacyStore(config: DatabaseConfig): Promise<void> {
  const indexes = ['type', 'project_id', 'actor', 'request_id', 'occurred_at'].map(
    (c) => `CREATE INDEX events_${c}_index ON events (${c})`,
  );
  if (config.kind === 'sqlite') {
    const db = new BetterSqlite3(config.path);
    db.exec(`CREATE TABLE events (position integer NOT NULL PRIMARY KEY AUTOINCREMENT, event_id text NOT NULL, stream_id text NOT NULL,
      stream_version integer NOT NULL, type text NOT NULL, schema_version integer NOT NULL, resource_type text NOT NULL,
      resource_id text NOT NULL, project_id text NOT NULL, actor text NOT NULL, request_id text NOT NULL, causation_id text NULL,
      occurred_at text NOT NULL, data text NOT NULL)`);
    db.exec('CREATE UNIQUE INDEX events_event_id_unique ON events (event_id)');
    for (const sql of indexes) db.exec(sql);
    db.exec('CREATE INDEX events_resource_idx ON events (resource_type, resource_id)');
    db.exec('CREATE UNIQUE INDEX events_stream_version_unique ON events (stream_id, stream_version)');
    db.close();
    return;
  }
  const c = new Client({ connectionString: config.url });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA "${config.schema}"; SET search_path TO "${config.schema}"`);
    await c.query(`CREATE TABLE events (position bigserial PRIMARY KEY, event_id varchar(36) NOT NULL, stream_id varchar(200) NOT NULL,
      stream_version int NOT NULL, type varchar(64) NOT NULL, schema_version int NOT NULL, resource_type varchar(40) NOT NULL,
      resource_id varchar(200) NOT NULL, project_id varchar(64) NOT NULL, actor varchar(255) NOT NULL, request_id varchar(64) NOT NULL,
      causation_id varchar(64) NULL, occurred_at varchar(40) NOT NULL, data text NOT NULL)`);
    await c.query('ALTER TABLE events ADD CONSTRAINT events_event_id_unique UNIQUE (event_id)');
    for (const sql of indexes) await c.query(sql);
    await c.query('CREATE INDEX events_resource_idx ON events (resource_type, resource_id)');
    await c.query('ALTER TABLE events ADD CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)');
  } finally {
    await c.end();
  }
}
