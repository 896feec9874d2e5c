export * from './conflicts';
export * from './database';
export * from './open-database';
export { EVENT_STORE_MIGRATIONS, MIGRATIONS_TABLE } from './migrations';
export * from './tx';
export * from './data-dir-lock';
export * from './sqlite-backup';
export { PendingMigrationsError } from './schema';
export * from './read-model-snapshots';
