import { EntitySchema } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EventStore, EventTable, MIGRATIONS_TABLE, openDatabase, type Database, type DatabaseConfig } from '@cp/store';
import { createLegacyStore } from '../support/legacy-store';

const PG_URL = process.env.L3_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const ctx = { projectId: 'p1', actor: 'tester', requestId: 'req-1', causationId: null, now: '2026-12-06T00:00:00.000Z', isAdmin: true };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
const Items = new EntitySchema<any>({
  name: 'TestItemRow',
  tableName: 'items',
  properties: { id: { type: 'string', length: 16, primary: true } },
});

interface Backend {
  name: string;
  config(): DatabaseConfig;
  cleanup(): Promise<void>;
}

const sqlite = (): Backend => {
  const dir = mkdtempSync(join(tmpdir(), 'db-test-'));
  return {
    name: 'SQLite',
    config: () => ({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
};
const postgres = (): Backend => {
  const schema = `dbtest_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  return {
    name: 'PostgreSQL',
    config: () => ({ kind: 'postgres', url: PG_URL, schema }),
    async cleanup() {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
};

const deleted = { type: 'NetworkDeleted' as const, data: { id: 'n1', projectId: 'p1', networkType: 'vxlan' as const, segmentationId: 7 } };
const migrations = (db: Database) => db.all<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`);

describe.each([sqlite, postgres])('database adapter', (make) => {
  let backend: Backend;
  let db: Database | null = null;
  beforeEach(() => {
    backend = make();
  });
  afterEach(async () => {
    await db?.close();
    db = null;
    await backend.cleanup();
  });

  it(`${make().name}: creates the event log by migration and records it, once`, async () => {
    db = await openDatabase(backend.config(), [EventTable]);
    expect(await migrations(db)).toEqual([{ name: 'M001EventLog' }, { name: 'M002FreePositions' }]);
    const store = new EventStore(db);
    await store.transaction((tx) => store.append([{ streamId: 'network:n1', expectedVersion: 0, events: [deleted] }], ctx, tx));
    await db.close();
    db = await openDatabase(backend.config(), [EventTable]);
    expect(await migrations(db)).toEqual([{ name: 'M001EventLog' }, { name: 'M002FreePositions' }]);
    expect(await new EventStore(db).headPosition()).toBe(1);
  });

  it(`${make().name}: upgrades a store an older release wrote, in place, keeping its events and their rules`, async () => {
    await createLegacyStore(backend.config());
    const legacy = await openDatabase(backend.config(), []);
    await legacy.run(
      `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, resource_type, resource_id, project_id, actor, request_id, causation_id, occurred_at, data)
       VALUES (?, 'network:n1', 1, 'NetworkDeleted', 1, 'network', 'n1', 'p1', 'old', 'req-0', NULL, '2026-01-01T00:00:00Z', '{"id":"n1","projectId":"p1","networkType":"vxlan","segmentationId":7}')`,
      [randomUUID()],
    );
    await legacy.close();

    // Not behind the operator's back: an existing store with migrations pending is refused, its events left as they are.
    await expect(openDatabase(backend.config(), [EventTable])).rejects.toThrow(
      /needs migrations this release brings \(M001EventLog, M002FreePositions\).*controlplane migrate/,
    );
    db = await openDatabase({ ...backend.config(), migrate: true }, [EventTable]);
    expect(await migrations(db)).toEqual([{ name: 'M001EventLog' }, { name: 'M002FreePositions' }]);
    const store = new EventStore(db);
    expect((await store.readStream('network:n1')).map((e) => e.metadata.actor)).toEqual(['old']);
    // The rules still hold after the upgrade: the stream is at version 1, and a version is taken once.
    await expect(
      store.transaction((tx) => store.append([{ streamId: 'network:n1', expectedVersion: 0, events: [deleted] }], ctx, tx)),
    ).rejects.toThrow(/at version 1/);
    const duplicate = `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, resource_type, resource_id, project_id, actor,
      request_id, occurred_at, data) VALUES (?, 'network:n1', 1, 'NetworkDeleted', 1, 'network', 'n1', 'p1', 'a', 'r', 'now', '{}')`;
    // Matched on the message: better-sqlite3's error class belongs to whichever test file loaded the addon first.
    await expect(store.transaction((tx) => db!.run(duplicate, [randomUUID()], tx))).rejects.toMatchObject({
      message: expect.stringMatching(/unique|duplicate/i),
    });
  });

  it(`${make().name}: runs afterCommit hooks once the transaction commits, never after a rollback`, async () => {
    db = await openDatabase(backend.config(), [Items]);
    const heard: string[] = [];
    await db.transaction(async (tx) => {
      await db!.run('INSERT INTO items (id) VALUES (?)', ['a'], tx);
      tx.afterCommit(() => heard.push('a'));
      expect(heard).toEqual([]);
    });
    await expect(
      db.transaction(async (tx) => {
        await db!.run('INSERT INTO items (id) VALUES (?)', ['b'], tx);
        tx.afterCommit(() => heard.push('b'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(heard).toEqual(['a']);
    expect(await db.all('SELECT id FROM items ORDER BY id')).toEqual([{ id: 'a' }]);
  });

  it(`${make().name}: refuses a transaction that belongs to another database`, async () => {
    db = await openDatabase(backend.config(), [Items]);
    const other = await openDatabase(sqlite().config(), [Items]);
    try {
      await expect(other.transaction((tx) => db!.run('INSERT INTO items (id) VALUES (?)', ['x'], tx))).rejects.toThrow(/another database/);
    } finally {
      await other.close();
    }
  });

  it(`${make().name}: announces appends to the store's subscribers only once they commit`, async () => {
    db = await openDatabase(backend.config(), [EventTable]);
    const store = new EventStore(db);
    const heads: number[] = [];
    store.onAppended((head) => heads.push(head));
    await expect(
      store.transaction(async (tx) => {
        await store.append([{ streamId: 'network:n1', expectedVersion: 0, events: [deleted] }], ctx, tx);
        expect(heads).toEqual([]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await store.transaction((tx) => store.append([{ streamId: 'network:n1', expectedVersion: 0, events: [deleted] }], ctx, tx));
    expect(heads).toEqual([await store.headPosition()]);
  });
});
