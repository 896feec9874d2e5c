import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext, DomainEventBody } from '@cp/events';
import { type Database, EventStore, EventTable, type DatabaseConfig, openDatabase } from '@cp/store';
import { replayInto } from '@cp/store';
import { L2popProjection } from '../../../apps/l2pop-projector/src/projection/l2pop.projection';
import { L2popRuntime, openReadModel, type L2popOptions } from '../../../apps/l2pop-projector/src/runtime';
import { streamOf } from './events';

export const PG_URL = process.env.PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

let requestSeq = 0;
export function ctx(): CommandContext {
  requestSeq += 1;
  return {
    projectId: 'p1',
    actor: 'test',
    requestId: `req-${requestSeq}`,
    causationId: null,
    now: '2025-01-01T00:00:00.000Z',
    isAdmin: true,
  };
}

export function tempDir(prefix = 'l2pop-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Appends bodies in order, one stream each as the command side would, in one transaction. */
export async function appendBodies(store: EventStore, bodies: DomainEventBody[]): Promise<number> {
  if (bodies.length === 0) return store.headPosition();
  const events = await store.transaction((tx) =>
    store.append(
      bodies.map((b) => ({ streamId: streamOf(b), expectedVersion: 'any' as const, events: [b] })),
      ctx(),
      tx,
    ),
  );
  return events[events.length - 1].metadata.position!;
}

/**
 * An event store and an L2 read model (SQLite files in a temp dir, or a
 * PostgreSQL schema), with the runtime tailing the store as in embedded mode.
 */
export class L2Harness {
  private constructor(
    readonly eventsDb: Database,
    readonly store: EventStore,
    readonly db: Database,
    readonly runtime: L2popRuntime,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async sqlite(options: Partial<L2popOptions> & { dir?: string } = {}): Promise<L2Harness> {
    const dir = options.dir ?? tempDir();
    const events: DatabaseConfig = { kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' };
    const model: DatabaseConfig = { kind: 'sqlite', path: join(dir, 'l2pop.sqlite'), synchronous: 'NORMAL' };
    return L2Harness.open(events, model, options, () => {
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    });
  }

  static async postgres(schema: string, options: Partial<L2popOptions> = {}): Promise<L2Harness> {
    const config: DatabaseConfig = { kind: 'postgres', url: PG_URL, schema };
    return L2Harness.open(config, config, options, async () => {
      const admin = await openDatabase({ kind: 'postgres', url: PG_URL }, []);
      await admin.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.close();
    });
  }

  private static async open(events: DatabaseConfig, model: DatabaseConfig, options: Partial<L2popOptions>, cleanup: () => Promise<void>) {
    const eventsDb = await openDatabase(events, [EventTable]);
    const store = new EventStore(eventsDb);
    const db = await openReadModel(model);
    const runtime = new L2popRuntime({ ...options, db, store });
    await runtime.start();
    return new L2Harness(eventsDb, store, db, runtime, cleanup);
  }

  /** Appends and waits until the projection has applied the events. */
  async append(...bodies: Array<DomainEventBody | DomainEventBody[]>): Promise<number> {
    const position = await appendBodies(this.store, bodies.flat());
    await this.runtime.projector!.waitFor(position);
    return position;
  }

  snapshot(host: string) {
    return this.runtime.feed.snapshot(host);
  }

  changes(host: string, since: string | null, format?: 'lists' | 'entries') {
    return this.runtime.feed.changes(host, since, format);
  }

  /** As the watchers one commit woke are served: all in one batch. */
  changesMany(asks: { host: string; since: string | null }[], format?: 'lists' | 'entries') {
    return this.runtime.feed.changesMany(asks, format);
  }

  digest(): Promise<string> {
    return this.runtime.projection.digest(this.db);
  }

  /** The digest of the same events replayed from position 0 into a scratch SQLite model. */
  async rebuiltDigest(): Promise<string> {
    const dir = tempDir('l2pop-scratch-');
    const scratch = await openReadModel({ kind: 'sqlite', path: join(dir, 'l2pop.sqlite'), synchronous: 'NORMAL' });
    try {
      const projection = new L2popProjection(scratch);
      await replayInto(this.store, scratch, projection);
      return await projection.digest(scratch);
    } finally {
      await scratch.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async expectRebuiltEqualsLive(): Promise<void> {
    await this.runtime.projector!.catchUp();
    expect(await this.rebuiltDigest()).toBe(await this.digest());
  }

  async close(): Promise<void> {
    await this.runtime.stop();
    await this.db.close();
    await this.eventsDb.close();
    await this.cleanup();
  }
}
