/**
 * Shared pieces of the Kafka tests: a tiny projection (event counts and an
 * order-sensitive hash chain per partition key), an event generator, throwaway
 * SQLite/PostgreSQL databases, and a network that can be cut under a client.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntitySchema } from '@mikro-orm/core';
import type { ISocketFactory } from 'kafkajs';
import { partitionKey, type DomainEvent, type DomainEventBody, type EventType } from '@cp/events';
import {
  CheckpointTable,
  type Database,
  EventStore,
  EventTable,
  type DatabaseConfig,
  type Projection,
  type Tx,
  openDatabase,
} from '@cp/store';

export const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';
export const skipKafka = process.env.KAFKA_UNAVAILABLE === '1' && process.env.CI !== 'true';
/** Quick rebalances: a member that vanished is noticed in seconds, not the default 30 s. */
export const FAST_GROUP = { sessionTimeout: 6_000, rebalanceTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 250 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test table
const CountTable = new EntitySchema<any>({
  name: 'KafkaTestCountRow',
  tableName: 'kafka_test_counts',
  properties: {
    key: { type: 'string', length: 200, primary: true },
    events: { type: 'integer' },
    lastPosition: { type: 'bigint', fieldName: 'last_position' },
    chain: { type: 'string', length: 64 },
  },
});

/** Per partition key: how many events, the last position, and a hash over their order. */
export class CountsProjection implements Projection {
  readonly name = 'kafka-test-counts';
  readonly version: number = 1;
  readonly tables = [CountTable];
  readonly tableNames = ['kafka_test_counts'];
  readonly handles: readonly EventType[] = ['AgentAlive', 'NetworkUpdated', 'RouterSchedulingPending', 'SecurityGroupRuleDeleted'];

  constructor(private readonly db: Database) {}

  async apply(tx: Tx, event: DomainEvent): Promise<void> {
    const key = partitionKey(event);
    const row = await this.db.get<{ events: number; chain: string }>(
      'SELECT events, chain FROM kafka_test_counts WHERE key = ?',
      [key],
      tx,
    );
    const chain = createHash('sha256')
      .update(`${row?.chain ?? ''}|${event.metadata.position}`)
      .digest('hex');
    await this.db.run(
      `INSERT INTO kafka_test_counts (key, events, last_position, chain) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET events = excluded.events, last_position = excluded.last_position, chain = excluded.chain`,
      [key, Number(row?.events ?? 0) + 1, event.metadata.position, chain],
      tx,
    );
  }

  async digest(db: Database): Promise<string> {
    const rows = await db.all<{ key: string; events: number; last_position: number | string; chain: string }>(
      'SELECT key, events, last_position, chain FROM kafka_test_counts ORDER BY key',
    );
    const norm = rows.map((r) => [r.key, Number(r.events), Number(r.last_position), r.chain]);
    return createHash('sha256').update(JSON.stringify(norm)).digest('hex');
  }
}

export async function openEventStore(): Promise<{ db: Database; store: EventStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-test-events-'));
  const db = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }, [EventTable]);
  return { db, store: new EventStore(db) };
}

export function sqliteConfig(name: string): DatabaseConfig {
  return { kind: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'kafka-test-rm-')), `${name}.sqlite`), synchronous: 'NORMAL' };
}

export function pgConfig(prefix: string): DatabaseConfig {
  return { kind: 'postgres', url: PG_URL, schema: `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}` };
}

export function openReadModel(config: DatabaseConfig): Promise<Database> {
  return openDatabase(config, [CheckpointTable, CountTable]);
}

export async function dropSchema(db: Database): Promise<void> {
  if (db.config.kind === 'postgres') await db.run(`DROP SCHEMA IF EXISTS "${db.config.schema}" CASCADE`);
}

/** Deterministic events over `keys` keys of each kind, a few per command, numbered from `from`. */
export async function appendEvents(store: EventStore, from: number, count: number, keys = 10): Promise<number> {
  let head = 0;
  for (let i = from; i < from + count; i += 4) {
    const bodies = Array.from({ length: Math.min(4, from + count - i) }, (_, j) => body(i + j, keys));
    const ctx = { projectId: 'p', actor: 'test', requestId: `req-${i}`, causationId: null, now: '2024-01-01T00:00:00.000Z', isAdmin: true };
    const stored = await store.transaction((tx) =>
      store.append(
        bodies.map((b) => ({ streamId: `test:${i}`, expectedVersion: 'any' as const, events: [b] })),
        ctx,
        tx,
      ),
    );
    head = stored[stored.length - 1].metadata.position!;
  }
  return head;
}

function body(n: number, keys: number): DomainEventBody {
  const k = (n * 7) % keys;
  switch (n % 4) {
    case 0:
      return { type: 'AgentAlive', data: { id: `agent-${k}`, agentType: 'Open vSwitch agent', host: `host-${k}`, heartbeatAt: `t${n}` } };
    case 1:
      return { type: 'NetworkUpdated', data: { id: `net-${k}`, changes: { name: `n${n}` } } };
    case 2:
      return { type: 'RouterSchedulingPending', data: { projectId: `project-${k}`, routerId: `r-${n}`, reason: 'test' } };
    default:
      return { type: 'SecurityGroupRuleDeleted', data: { id: `rule-${n}`, securityGroupId: `sg-${k}`, projectId: 'p' } };
  }
}

/** A kafkajs socket factory whose connections can all be dropped at once, as if the host died. */
export function cuttableNetwork(): { socketFactory: ISocketFactory; cut(): void; heal(): void } {
  const sockets = new Set<net.Socket>();
  let cut = false;
  return {
    socketFactory: ({ host, port, onConnect }) => {
      // After the cut every connection attempt is refused (port 9 is discard, closed here).
      const socket = cut ? net.connect({ host: '127.0.0.1', port: 9 }) : net.connect({ host, port }, onConnect);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      return socket;
    },
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    /** Lets a dead client's remaining shutdown (it retries LeaveGroup) finish quickly. */
    heal() {
      cut = false;
    },
  };
}

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const brokers = (): string => process.env.KAFKA_BROKERS ?? '';
export const uniqueTopic = (name: string): string => `test.${name}.${randomUUID().slice(0, 8)}`;
