import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EntitySchema } from '@mikro-orm/core';
import { type Database, type EventStore, openDatabase } from '@cp/store';
import { WRITE_SIDE_TABLES, writeSideOn, type WriteSide } from '@cp/write-model';
import { L3_SCHEDULER_TABLES } from '../../../apps/l3-scheduler/src/scheduler/scheduler-state';
import { L3_TABLES } from '../../../apps/l3-scheduler/src/read-model/l3.tables';

const TABLES: EntitySchema[] = [...WRITE_SIDE_TABLES, ...L3_SCHEDULER_TABLES, ...L3_TABLES];

export interface TestStore {
  db: Database;
  store: EventStore;
  /** The write side over `db`: the scheduler's decisions and HA state reports are commands on it. */
  ws: WriteSide;
  /** Another connection (pool) to the same database, as a second process would have. */
  reopen(): Promise<{ db: Database; store: EventStore; ws: WriteSide }>;
  close(): Promise<void>;
}

/** A fresh SQLite event store (and L3 tables) in a temp dir; NORMAL sync keeps tests fast. */
export async function sqliteStore(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'l3-test-'));
  const path = join(dir, 'events.sqlite');
  const opened: Database[] = [];
  const open = async () => {
    const db = await openDatabase({ kind: 'sqlite', path, synchronous: 'NORMAL' }, TABLES);
    opened.push(db);
    const ws = await writeSideOn(db);
    return { db, store: ws.store, ws };
  };
  const first = await open();
  return {
    ...first,
    reopen: open,
    async close() {
      for (const db of opened) await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PG_URL = process.env.L3_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A fresh PostgreSQL schema for this run, dropped on close. */
export async function postgresStore(): Promise<TestStore> {
  const schema = `l3_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const opened: Database[] = [];
  const open = async () => {
    const db = await openDatabase({ kind: 'postgres', url: PG_URL, schema }, TABLES);
    opened.push(db);
    const ws = await writeSideOn(db);
    return { db, store: ws.store, ws };
  };
  const first = await open();
  return {
    ...first,
    reopen: open,
    async close() {
      await first.db.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      for (const db of opened) await db.close();
    },
  };
}
