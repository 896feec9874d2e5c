import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntitySchema } from '@mikro-orm/core';
import type { KafkaMessage } from 'kafkajs';
import { partitionKey, type DomainEvent } from '@cp/events';
import { CheckpointTable } from '../checkpoint-table';
import { readCheckpoint } from '../checkpoints';
import { type Database, type Tx, openDatabase } from '../db';
import { EventStore } from '../event-store';
import { EventTable } from '../event-table';
import type { Projection } from '../projection';
import { encodeEvent } from './kafka-client';
import { eventPositionId, PartitionApplier, ProjectorKilledError } from './partition-applier';
import { AppliedLogTable } from './tables';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test table
const Counts = new EntitySchema<any>({
  name: 'SpecCount',
  tableName: 'spec_counts',
  properties: { key: { type: 'string', primary: true }, n: { type: 'integer' } },
});

function countsProjection(db: Database): Projection {
  return {
    name: 'spec-counts',
    version: 1,
    tables: [Counts],
    tableNames: ['spec_counts'],
    handles: ['AgentAlive'],
    async apply(tx: Tx, e: DomainEvent) {
      await db.run(
        'INSERT INTO spec_counts (key, n) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET n = spec_counts.n + 1',
        [partitionKey(e)],
        tx,
      );
    },
    async digest() {
      return JSON.stringify(await db.all('SELECT key, n FROM spec_counts ORDER BY key'));
    },
  };
}

const P = 'events:3';
const msg = (event: DomainEvent, offset: number): KafkaMessage =>
  ({ ...encodeEvent(event), offset: String(offset) }) as unknown as KafkaMessage;

describe('PartitionApplier', () => {
  let db: Database;
  let events: DomainEvent[];
  let projection: Projection;
  let killed: boolean;
  let applier: PartitionApplier;

  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spec-'));
    db = await openDatabase({ kind: 'sqlite', path: join(dir, 'db.sqlite') }, [EventTable, CheckpointTable, Counts, AppliedLogTable]);
    const store = new EventStore(db);
    const ctx = { projectId: 'p', actor: 'a', requestId: 'r', causationId: null, now: '2024-01-01T00:00:00.000Z', isAdmin: true };
    const bodies = [0, 1, 2, 3, 4].map((i) => ({
      type: 'AgentAlive' as const,
      data: { id: `a${i % 2}`, agentType: 'L2', host: `h${i % 2}`, heartbeatAt: `t${i}` },
    }));
    events = await store.transaction((tx) => store.append([{ streamId: 'agent:x', expectedVersion: 'any', events: bodies }], ctx, tx));
    projection = countsProjection(db);
    killed = false;
    applier = new PartitionApplier(db, projection, { appliedLog: true, isKilled: () => killed });
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies contiguous offsets and keeps the offset and event position with the rows', async () => {
    const r = await applier.apply(
      P,
      events.map((e, i) => msg(e, i)),
    );
    expect(r).toEqual({ covered: 4, gapAt: null, applied: 5, resent: 0 });
    expect(await projection.digest(db)).toBe(
      JSON.stringify([
        { key: 'host:h0', n: 3 },
        { key: 'host:h1', n: 2 },
      ]),
    );
    expect((await readCheckpoint(db, 'spec-counts', P))?.position).toBe(4);
    expect((await readCheckpoint(db, 'spec-counts', eventPositionId(P)))?.position).toBe(events[4].metadata.position);
  });

  it('changes nothing when the same messages come again (redelivery)', async () => {
    await applier.apply(
      P,
      events.map((e, i) => msg(e, i)),
    );
    const before = await projection.digest(db);
    expect(
      await applier.apply(
        P,
        events.map((e, i) => msg(e, i)),
      ),
    ).toEqual({ covered: 4, gapAt: null, applied: 0, resent: 0 });
    expect(await projection.digest(db)).toBe(before);
  });

  it('changes nothing for a tail the relay re-sent at new offsets, and moves the offset past it', async () => {
    await applier.apply(
      P,
      events.slice(0, 4).map((e, i) => msg(e, i)),
    );
    const before = await projection.digest(db);
    const resent = [events[2], events[3], events[4]].map((e, i) => msg(e, 4 + i));
    expect(await applier.apply(P, resent)).toEqual({ covered: 6, gapAt: null, applied: 1, resent: 2 });
    expect(await projection.digest(db)).not.toBe(before);
    expect(await db.get('SELECT COUNT(*) AS n FROM applied_log')).toEqual({ n: 5 });
  });

  it('reports a gap instead of applying past it (positioned ahead of the read model)', async () => {
    await applier.apply(P, [msg(events[0], 0)]);
    expect(await applier.apply(P, [msg(events[2], 2)])).toEqual({ covered: null, gapAt: 1, applied: 0, resent: 0 });
    expect((await readCheckpoint(db, 'spec-counts', P))?.position).toBe(0);
  });

  it("rolls back a killed instance's transaction", async () => {
    killed = true;
    await expect(applier.apply(P, [msg(events[0], 0)])).rejects.toBeInstanceOf(ProjectorKilledError);
    expect(await db.all('SELECT * FROM spec_counts')).toEqual([]);
    expect(await readCheckpoint(db, 'spec-counts', P)).toBeNull();
  });

  it('fails loudly if an event would be applied twice (applied log)', async () => {
    await db.run('INSERT INTO applied_log (projection, position, partition, kafka_offset) VALUES (?, ?, ?, ?)', [
      'spec-counts',
      events[0].metadata.position,
      'elsewhere',
      0,
    ]);
    const outcome = await applier.apply(P, [msg(events[0], 0)]).then(
      (r) => ({ resolved: r, log: null as unknown }),
      (e: Error) => e,
    );
    if (!(outcome instanceof Error)) outcome.log = await db.all('SELECT * FROM applied_log');
    expect(outcome).toEqual(expect.objectContaining({ message: expect.stringMatching(/UNIQUE|constraint/i) }));
    expect(await db.all('SELECT * FROM spec_counts')).toEqual([]);
  });
});
