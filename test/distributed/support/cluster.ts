/**
 * A distributed control plane for tests: PostgreSQL schemas of its own (event
 * store, shared read model), a topic of its own, and the three kinds of process
 * started from dist/. The test process also opens the databases and a Kafka
 * admin, to know when everything is settled and to compute digests.
 */
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { L2POP_TABLES, L2popProjection } from '../../../apps/l2pop-projector/src';
import { L3_SCHEDULER_TABLES, L3_TABLES, L3Projection } from '../../../apps/l3-scheduler/src';
import { DHCP_TABLES, DhcpProjection } from '../../../apps/dhcp-projector/src';
import {
  AppliedLogTable,
  caughtUp,
  CheckpointTable,
  type Database,
  EventTable,
  highWatermarks,
  kafkaClient,
  RelayOffsetTable,
  type Projection,
  openDatabase,
} from '@cp/store';
import { ENTRY, PG_URL, spawnProc, waitFor, type Proc } from './processes';

const suffix = () => randomUUID().replace(/-/g, '').slice(0, 10);
/** Quick rebalances: a killed member is noticed in seconds, not the default 30 s. */
const FAST_GROUP = {
  CP_KAFKA_SESSION_TIMEOUT_MS: '6000',
  CP_KAFKA_REBALANCE_TIMEOUT_MS: '6000',
  CP_KAFKA_HEARTBEAT_INTERVAL_MS: '500',
  CP_KAFKA_MAX_WAIT_MS: '100',
};

export class Cluster {
  readonly id = suffix();
  readonly topic: string;
  readonly eventSchema = `dist_es_${this.id}`;
  readonly readSchema = `dist_rm_${this.id}`;
  readonly schedulerName = `l3-test-${this.id}`;
  readonly procs: Proc[] = [];
  readonly extraSchemas: string[] = [];
  events!: Database;
  read!: Database;
  private admin: Admin | null = null;

  constructor(
    readonly brokers: string,
    name: string,
    private readonly partitions = 6,
  ) {
    this.topic = `test.dist.${name}.${this.id}`;
  }

  get common(): Record<string, string> {
    return {
      CP_KAFKA_BROKERS: this.brokers,
      CP_KAFKA_TOPIC: this.topic,
      CP_KAFKA_PARTITIONS: String(this.partitions),
      CP_READ_MODEL_URL: PG_URL,
      CP_READ_MODEL_SCHEMA: this.readSchema,
      CP_AGENT_DOWN_TIME: '600', // no agent dies of test slowness
      CP_SHUTDOWN_TIMEOUT_MS: '10000',
      ...FAST_GROUP,
    };
  }

  async startApi(env: Record<string, string> = {}): Promise<Proc> {
    return this.track(
      await spawnProc('api', ENTRY.api, {
        ...this.common,
        CP_EVENT_STORE_URL: PG_URL,
        CP_EVENT_STORE_SCHEMA: this.eventSchema,
        CP_RELAY_POLL_MS: '200',
        CP_RELAY_BATCH_SIZE: '50',
        ...env,
      }),
    );
  }

  async startL2pop(env: Record<string, string> = {}): Promise<Proc> {
    return this.track(
      await spawnProc('l2pop', ENTRY.l2pop, {
        ...this.common,
        CP_APPLIED_LOG: 'true',
        CP_WATCH_POLL_MS: '60000',
        CP_PROJECTOR_CHUNK_SIZE: '20',
        CP_L2_HOT_ROWS: '200000',
        ...env,
      }),
    );
  }

  async startDhcp(env: Record<string, string> = {}): Promise<Proc> {
    return this.track(await spawnProc('dhcp', ENTRY.dhcp, { ...this.common, CP_APPLIED_LOG: 'true', CP_WATCH_POLL_MS: '60000', ...env }));
  }

  async startL3(env: Record<string, string> = {}): Promise<Proc> {
    return this.track(
      await spawnProc('l3', ENTRY.l3, {
        ...this.common,
        CP_EVENT_STORE_URL: PG_URL,
        CP_EVENT_STORE_SCHEMA: this.eventSchema,
        CP_L3_SCHEDULER_NAME: this.schedulerName,
        CP_L3_SCHEDULER_POLL_MS: '200',
        CP_APPLIED_LOG: 'true',
        CP_WATCH_POLL_MS: '60000',
        ...env,
      }),
    );
  }

  /** Opens the test's own connections (after the API created the event store's tables). */
  async connect(): Promise<void> {
    this.events = await openDatabase({ kind: 'postgres', url: PG_URL, schema: this.eventSchema }, [EventTable, RelayOffsetTable]);
    this.read = await openDatabase({ kind: 'postgres', url: PG_URL, schema: this.readSchema }, [
      ...L2POP_TABLES,
      ...L3_TABLES,
      ...L3_SCHEDULER_TABLES,
      ...DHCP_TABLES,
      CheckpointTable,
      AppliedLogTable,
    ]);
    this.admin = kafkaClient({ brokers: this.brokers }, 'dist-test-admin').admin();
    await this.admin.connect();
  }

  async head(): Promise<number> {
    return Number((await this.events.get<{ p: string | null }>('SELECT MAX(position) AS p FROM events'))?.p ?? 0);
  }

  /**
   * Waits until every stored event is on the topic and in both read models, and
   * the scheduler has seen them all; repeats while the scheduler's decisions add events.
   */
  async settle(timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(1_000, deadline - Date.now());
    for (;;) {
      const head = await this.head();
      await waitFor(
        `relay to publish ${head}`,
        async () =>
          Number(
            (await this.events.get<{ position: string }>('SELECT position FROM relay_offsets WHERE relay = ?', [this.topic]))?.position ??
              0,
          ) >= head,
        left(),
      );
      const targets = await highWatermarks(this.admin!, this.topic);
      for (const projection of ['l2pop', 'l3', 'dhcp']) {
        await waitFor(`${projection} to catch up`, () => caughtUp(this.read, projection, this.topic, targets), left());
      }
      await waitFor(
        'the scheduler to catch up',
        async () =>
          Number(
            (
              await this.read.get<{ position: string }>("SELECT position FROM checkpoints WHERE projection = ? AND partition = 'all'", [
                this.schedulerName,
              ])
            )?.position ?? 0,
          ) >= head,
        left(),
      );
      if ((await this.head()) === head) return head;
      if (Date.now() > deadline) throw new Error('the cluster did not settle');
    }
  }

  digests(db: Database = this.read): Promise<Digests> {
    return digestsOf(db);
  }

  /** Applied events per projection: every handled event exactly once (the log's primary key refuses a second). */
  async appliedLog(projection: string): Promise<{ rows: number; distinct: number }> {
    const r = await this.read.get<{ n: string; d: string }>(
      'SELECT COUNT(*) AS n, COUNT(DISTINCT position) AS d FROM applied_log WHERE projection = ?',
      [projection],
    );
    return { rows: Number(r!.n), distinct: Number(r!.d) };
  }

  /** Events of the types a projection handles: what its applied log must hold once each. */
  async handledEvents(projection: Projection): Promise<number> {
    const types = [...projection.handles];
    const r = await this.events.get<{ n: string }>(
      `SELECT COUNT(*) AS n FROM events WHERE type IN (${types.map(() => '?').join(', ')})`,
      types,
    );
    return Number(r!.n);
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill('SIGKILL')));
    await this.admin?.disconnect().catch(() => undefined);
    for (const db of [this.events, this.read].filter(Boolean)) await db.close().catch(() => undefined);
    const admin = await openDatabase({ kind: 'postgres', url: PG_URL, schema: this.eventSchema }, []);
    for (const schema of [this.eventSchema, this.readSchema, ...this.extraSchemas])
      await admin.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.close();
    const kafka = kafkaClient({ brokers: this.brokers }, 'dist-test-cleanup').admin();
    await kafka
      .connect()
      .then(() => kafka.deleteTopics({ topics: [this.topic] }))
      .catch(() => undefined);
    await kafka.disconnect().catch(() => undefined);
  }

  private track(p: Proc): Proc {
    this.procs.push(p);
    return p;
  }
}

export interface Digests {
  l2: string;
  l3: string;
  dhcp: string;
}

export async function digestsOf(db: Database): Promise<Digests> {
  return {
    l2: await new L2popProjection(db).digest(db),
    l3: await new L3Projection(db).digest(db),
    dhcp: await new DhcpProjection(db).digest(db),
  };
}
