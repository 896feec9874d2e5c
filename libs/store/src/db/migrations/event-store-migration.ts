import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

/**
 * A migration of the event store's own tables. Written as plain SQL for each
 * backend: the event log is the source of truth, so its schema is spelled out
 * and versioned rather than derived from entity metadata at start-up.
 */
export abstract class EventStoreMigration extends Migration {
  protected get postgres(): boolean {
    return this.config.get('driver') === PostgreSqlDriver;
  }

  /** One statement per backend, chosen by the database being migrated. */
  protected sql(sqlite: string, postgres: string): void {
    this.addSql(this.postgres ? postgres : sqlite);
  }
}
