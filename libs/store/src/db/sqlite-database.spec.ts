import BetterSqlite3 from 'better-sqlite3';
import { EntitySchema } from '@mikro-orm/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, isConflictError, openDatabase } from '.';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
const Items = new EntitySchema<any>({
  name: 'ItemRow',
  tableName: 'items',
  properties: { id: { type: 'string', length: 16, primary: true } },
});

describe('Database on SQLite: transactions committed in groups', () => {
  let dir: string;
  let db: Database;
  let other: BetterSqlite3.Database;
  const committed = () => (other.prepare('SELECT id FROM items ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'db-spec-'));
    db = await openDatabase({ kind: 'sqlite', path: join(dir, 'x.sqlite'), synchronous: 'NORMAL' }, [Items]);
    other = new BetterSqlite3(join(dir, 'x.sqlite'), { readonly: true });
  });
  afterEach(async () => {
    other.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (id: string) => db.transaction((tx) => db.run('INSERT INTO items (id) VALUES (?)', [id], tx));

  it('gives each caller its own outcome: a failed one writes nothing, the others commit', async () => {
    const outcomes = await Promise.allSettled([
      insert('a'),
      db.transaction(async (tx) => {
        await db.run('INSERT INTO items (id) VALUES (?)', ['b'], tx);
        throw new Error('rejected');
      }),
      insert('a'), // unique violation: a conflict the command runner retries
      insert('c'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(isConflictError((outcomes[2] as PromiseRejectedResult).reason)).toBe(true);
    expect(committed()).toEqual(['a', 'c']);
  });

  it('resolves a caller only once its writes are visible to another connection', async () => {
    const seen: string[][] = [];
    await Promise.all(['a', 'b', 'c'].map((id) => insert(id).then(() => seen.push(committed()))));
    for (const s of seen) expect(s).toEqual(['a', 'b', 'c']);
  });

  it('lets a later transaction see what an earlier one in its group wrote', async () => {
    const [, count] = await Promise.all([
      insert('a'),
      db.transaction(async (tx) => (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM items', [], tx))!.n),
    ]);
    expect(count).toBe(1);
  });

  it('serves reads outside a transaction from committed data only', async () => {
    await insert('a');
    expect(await db.all('SELECT id FROM items')).toEqual([{ id: 'a' }]);
  });
});
