import type { MigrationObject } from '@mikro-orm/core';
import { M001EventLog } from './m001-event-log';
import { M002FreePositions } from './m002-free-positions';

/**
 * The event store's schema versions, oldest first. Add a migration by appending
 * a new class (never edit a released one): every process runs what a store
 * lacks when it opens it, and the migration table records what ran.
 */
export const EVENT_STORE_MIGRATIONS: MigrationObject[] = [
  { name: 'M001EventLog', class: M001EventLog },
  { name: 'M002FreePositions', class: M002FreePositions },
];

/** Where MikroORM records the migrations a store has had. */
export const MIGRATIONS_TABLE = 'event_store_migrations';
