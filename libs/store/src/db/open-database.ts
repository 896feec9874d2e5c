import type { EntitySchema } from '@mikro-orm/core';
import type { Database, DatabaseConfig } from './database';
import { PostgresDatabase } from './postgres-database';
import { SqliteDatabase } from './sqlite-database';

/** Opens a database through its adapter, with `entities`' tables (and the event log's migrations, if EventTable is one) in place. */
export function openDatabase(config: DatabaseConfig, entities: EntitySchema[]): Promise<Database> {
  return config.kind === 'sqlite' ? SqliteDatabase.connect(config, entities) : PostgresDatabase.connect(config, entities);
}
