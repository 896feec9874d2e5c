import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EventStore, EventTable, openDatabase, type Database, type DatabaseConfig } from '@cp/store';
import { ConcurrencyError, isConflictError } from '@cp/store';
import { CommandRunner } from '@cp/write-model';

/*
 * PostgreSQL writers take positions without queueing behind one lock (design.md §3.2), so positions
 * commit out of order. These tests hold that no reader of the log (projectors, the relay, the audit
 * API: all through readAll/readableUpTo) ever moves past a position whose writer is still in flight,
 * whether that writer then commits, rolls back or loses its connection; and that SERIALIZABLE writers
 * still cannot both act on a fact the other changes.
 */
const PG_URL = process.env.L3_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const ctx = { projectId: 'p1', actor: 'tester', requestId: 'req-1', causationId: null, now: '2026-12-07T00:00:00.000Z', isAdmin: true };
const netDeleted = (id: string) => ({
  type: 'NetworkDeleted' as const,
  data: { id, projectId: 'p1', networkType: 'vxlan' as const, segmentationId: 7 },
});
const append =
  (store: EventStore, id: string, n = 1) =>
  (tx: Parameters<Parameters<EventStore['transaction']>[0]>[0]) =>
    store.append([{ streamId: `network:${id}`, expectedVersion: 'any', events: Array.from({ length: n }, () => netDeleted(id)) }], ctx, tx);

/** A promise with its resolve/reject outside: the test decides when a held transaction ends. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

/** What the command runner does on a conflict: run the transaction again. */
async function retryConflicts<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isConflictError(e) || attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

const streams = async (store: EventStore, after = 0) => (await store.readAll(after, 1000)).map((e) => e.metadata.streamId);

describe('PostgreSQL: positions taken freely, readers gap-free', () => {
  const schema = `positions_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const config: DatabaseConfig = { kind: 'postgres', url: PG_URL, schema };
  let db: Database;
  let store: EventStore;
  beforeAll(async () => {
    db = await openDatabase(config, [EventTable]);
    store = new EventStore(db);
  });
  beforeEach(() => db.run('TRUNCATE events RESTART IDENTITY'));
  afterAll(async () => {
    await db.close();
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });

  it('a writer that commits late holds readers before its position, then they read it in order', async () => {
    const held = gate();
    let taken!: () => void;
    const positioned = new Promise<void>((r) => (taken = r));
    const slow = store.transaction(async (tx) => {
      await append(store, 'slow')(tx);
      taken();
      await held.promise;
    });
    await positioned;
    await store.transaction(append(store, 'fast', 2)); // positions 2 and 3, committed

    try {
      // The audit API's bound and the projectors' reads alike stop before position 1.
      expect(await store.readableUpTo()).toBe(0);
      expect(await streams(store)).toEqual([]);
      expect(await store.headPosition()).toBe(0);
    } finally {
      held.open();
      await slow;
    }
    expect(await streams(store)).toEqual(['network:slow', 'network:fast', 'network:fast']);
    expect(await store.headPosition()).toBe(3);
  });

  it('a writer that rolls back leaves a gap readers pass once it is gone', async () => {
    const held = gate();
    let taken!: () => void;
    const positioned = new Promise<void>((r) => (taken = r));
    const doomed = store.transaction(async (tx) => {
      await append(store, 'doomed')(tx);
      taken();
      await held.promise;
    });
    await positioned;
    try {
      await store.transaction(append(store, 'kept'));
      expect(await streams(store)).toEqual([]);
    } finally {
      held.fail(new Error('changed its mind'));
      await expect(doomed).rejects.toThrow('changed its mind');
    }
    expect((await store.readAll(0)).map((e) => [e.metadata.position, e.metadata.streamId])).toEqual([[2, 'network:kept']]);
  });

  it('a writer whose connection is lost mid-transaction does not hold readers for ever', async () => {
    const pids = await db.all<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(pids).toHaveLength(1);
    const held = gate();
    let taken!: (pid: number) => void;
    const positioned = new Promise<number>((r) => (taken = r));
    const lost = store.transaction(async (tx) => {
      await append(store, 'lost')(tx);
      const [{ pid }] = await db.all<{ pid: number }>('SELECT pg_backend_pid() AS pid', [], tx);
      taken(pid);
      await held.promise;
      await db.run('SELECT 1', [], tx); // the connection is gone by now
    });
    const pid = await positioned;
    try {
      await store.transaction(append(store, 'after'));
      expect(await streams(store)).toEqual([]);
    } finally {
      await db.run('SELECT pg_terminate_backend(?)', [pid]);
      held.open();
      await expect(lost).rejects.toThrow();
    }
    expect(await streams(store)).toEqual(['network:after']);
  });

  it('concurrent writers on separate pools (as API instances): a tailing reader gets every committed event once, in position order', async () => {
    const instances = await Promise.all([1, 2, 3].map(() => openDatabase(config, [EventTable])));
    const writers = instances.map((d) => new EventStore(d));
    const seen: { position: number; streamId: string }[] = [];
    let writing = true;
    const tail = (async () => {
      let after = 0;
      for (;;) {
        const done = !writing; // read once more after the writers finish
        for (const e of await store.readAll(after, 50)) {
          seen.push({ position: e.metadata.position!, streamId: e.metadata.streamId });
          after = e.metadata.position!;
        }
        if (done) return;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    try {
      const jobs = writers.flatMap((w, i) =>
        Array.from({ length: 40 }, (_, j) =>
          retryConflicts(() =>
            w.transaction(async (tx) => {
              await append(w, `w${i}-${j}`, 1 + (j % 3))(tx);
              // Commit after a random pause, so positions commit out of their order; some roll back.
              await new Promise((r) => setTimeout(r, Math.random() * 15));
              if (j % 7 === 3) throw new Error('rolled back');
            }),
          ).catch((e: Error) => {
            if (e.message !== 'rolled back') throw e;
          }),
        ),
      );
      await Promise.all(jobs);
    } finally {
      writing = false;
      await tail;
      await Promise.all(instances.map((d) => d.close()));
    }
    const all = await db.all<{ position: string; stream_id: string }>('SELECT position, stream_id FROM events ORDER BY position');
    expect(all.length).toBeGreaterThan(150);
    expect(seen).toEqual(all.map((r) => ({ position: Number(r.position), streamId: r.stream_id })));
  });

  it('a command that keeps losing conflicts runs alone, with no writer beside it, and succeeds', async () => {
    const runner = new CommandRunner(store);
    const modes: string[] = [];
    const { result } = await runner.run(ctx, async (uow) => {
      const held = await db.all<{ mode: string }>(
        "SELECT mode FROM pg_locks WHERE locktype = 'advisory' AND classid = 724201 AND objsubid = 2 AND pid = pg_backend_pid()",
        [],
        uow.tx,
      );
      modes.push(held.map((h) => h.mode).join());
      // Another writer got there first, three times running (as on a hot row under load).
      if (modes.length <= 3) throw new ConcurrencyError('lost to another writer');
      return 'done';
    });
    expect(result).toBe('done');
    expect(modes).toEqual(['ShareLock', 'ShareLock', 'ShareLock', 'ExclusiveLock']);
    expect(runner.exclusiveRuns).toBe(1);
  });

  it('two writers acting on a fact the other changes: one is refused as a conflict (SERIALIZABLE), not both applied', async () => {
    // Each appends its own stream only if the other's stream does not exist yet: without one lock for
    // all writers, only serializable isolation keeps this rule.
    const bothRead = gate();
    let reads = 0;
    const claim = (mine: string, other: string) =>
      store.transaction(async (tx) => {
        const other_ = await store.streamVersion(`network:${other}`, tx);
        if (++reads === 2) bothRead.open();
        await bothRead.promise;
        if (other_ === 0) await append(store, mine)(tx);
      });
    const results = await Promise.allSettled([claim('x', 'y'), claim('y', 'x')]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(isConflictError(refused[0].reason)).toBe(true);
    expect(await streams(store)).toHaveLength(1);
  });
});
