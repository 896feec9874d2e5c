import { EventStoreMigration } from './event-store-migration';

/**
 * PostgreSQL writers no longer queue behind one lock for their whole
 * transaction: positions are taken freely, and readers stop before the oldest
 * position a transaction still in flight holds (design.md §3.2).
 *
 * - `cp_take_positions(n)` takes n consecutive positions and, in the same short
 *   critical section, a transaction-level advisory lock keyed by the first one:
 *   the lock is the transaction's "in flight" flag, dropped by PostgreSQL itself
 *   on commit, rollback or a lost connection.
 * - `cp_safe_position()` is the highest position a reader may read up to:
 *   the sequence's head, or just before the lowest position whose writer is
 *   still in flight. Taken under the same critical section, so no position can
 *   be handed out without its flag being visible.
 *
 * Keys are (schema tag << 40) | position: the tag (23 bits from the schema's
 * name, top bit set) keeps stores in different schemas of one database apart,
 * and the key with position 0 is the critical section itself. SQLite has one
 * writer at a time and needs none of this.
 */
export class M002FreePositions extends EventStoreMigration {
  up(): void {
    if (!this.postgres) return;
    this.addSql(`CREATE OR REPLACE FUNCTION cp_positions_key() RETURNS bigint LANGUAGE sql STABLE AS $$
      SELECT ((hashtext(current_schema()) & 4194303) | 4194304)::bigint << 40
    $$`);
    this.addSql(`CREATE OR REPLACE FUNCTION cp_take_positions(n integer) RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        section bigint := cp_positions_key();
        taken bigint;
      BEGIN
        PERFORM pg_advisory_lock(section);
        BEGIN
          taken := nextval('events_position_seq');
          IF n > 1 THEN PERFORM setval('events_position_seq', taken + n - 1); END IF;
          PERFORM pg_advisory_xact_lock(section | taken);
        EXCEPTION WHEN OTHERS THEN
          PERFORM pg_advisory_unlock(section);
          RAISE;
        END;
        PERFORM pg_advisory_unlock(section);
        RETURN taken;
      END
    $$`);
    this.addSql(`CREATE OR REPLACE FUNCTION cp_safe_position() RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        section bigint := cp_positions_key();
        head bigint;
        oldest bigint;
      BEGIN
        PERFORM pg_advisory_lock(section);
        SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO head FROM events_position_seq;
        SELECT min(((classid::bigint << 32) | objid::bigint) - section) INTO oldest FROM pg_locks
          WHERE locktype = 'advisory' AND objsubid = 1 AND granted
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND (classid::bigint >> 8) = (section >> 40)
            AND ((classid::bigint << 32) | objid::bigint) > section;
        PERFORM pg_advisory_unlock(section);
        RETURN least(head, oldest - 1);
      END
    $$`);
  }
}
