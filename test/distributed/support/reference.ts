/**
 * The read models as one instance derives them, for comparison with the live
 * shared ones: a KafkaProjector per projection over a fresh schema, replaying the
 * topic from offset 0 in a group of its own (a cold rebuild), and the embedded
 * form (the store tailed into SQLite) over a copy of the event store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { L2popProjection, openReadModel } from '../../../apps/l2pop-projector/src';
import { L3Projection, openL3ReadModel } from '../../../apps/l3-scheduler/src';
import { DhcpProjection, openDhcpReadModel } from '../../../apps/dhcp-projector/src';
import { type Database, EventTable, KafkaProjector, openDatabase } from '@cp/store';
import type { Cluster, Digests } from './cluster';
import { PG_URL } from './processes';

const FAST = { sessionTimeout: 6_000, rebalanceTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 };

export class SingleInstance {
  private constructor(
    readonly l2: KafkaProjector,
    readonly l3: KafkaProjector,
    readonly dhcp: KafkaProjector,
    private readonly dbs: Database[],
  ) {}

  /** Starts one projector per read model from offset 0 (own schema, own groups). */
  static async start(cluster: Cluster): Promise<SingleInstance> {
    const schema = `dist_single_${cluster.id}`;
    cluster.extraSchemas.push(schema);
    const config = { kind: 'postgres' as const, url: PG_URL, schema };
    const l2db = await openReadModel(config);
    const l3db = await openL3ReadModel(config);
    const dhcpDb = await openDhcpReadModel(config);
    const common = { brokers: cluster.brokers, topic: cluster.topic, ...FAST };
    const l2 = new KafkaProjector(l2db, new L2popProjection(l2db), { ...common, groupId: `single-l2-${cluster.id}` });
    const l3 = new KafkaProjector(l3db, new L3Projection(l3db), { ...common, groupId: `single-l3-${cluster.id}` });
    const dhcp = new KafkaProjector(dhcpDb, new DhcpProjection(dhcpDb), { ...common, groupId: `single-dhcp-${cluster.id}` });
    const single = new SingleInstance(l2, l3, dhcp, [l2db, l3db, dhcpDb]);
    try {
      await Promise.all([l2.start(), l3.start(), dhcp.start()]);
    } catch (err) {
      await single.stop().catch(() => undefined); // open pools would keep jest from exiting
      throw err;
    }
    return single;
  }

  private get all(): KafkaProjector[] {
    return [this.l2, this.l3, this.dhcp];
  }

  async digests(timeoutMs = 60_000): Promise<Digests> {
    await Promise.all(this.all.map((p) => p.waitUntilCaughtUp(timeoutMs)));
    const [l2, l3, dhcp] = await Promise.all(this.all.map((p) => p.projection.digest(p.db)));
    return { l2, l3, dhcp };
  }

  /** Truncates every model and replays the topic from offset 0. */
  async rebuild(timeoutMs = 60_000): Promise<Digests> {
    await Promise.all(this.all.map((p) => p.rebuildFromTopic(timeoutMs)));
    return this.digests(timeoutMs);
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((p) => p.stop()));
    for (const db of this.dbs) await db.close();
  }
}

/** Copies the cluster's PostgreSQL event store into `<dir>/events.sqlite`: embedded mode's layout. */
export async function copyEventStore(cluster: Cluster): Promise<{ dir: string; head: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'dist-embedded-'));
  const sqlite = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }, [EventTable]);
  const rows = await cluster.events.all<Record<string, unknown>>('SELECT * FROM events ORDER BY position');
  const columns = Object.keys(rows[0]);
  await sqlite.transaction(async (tx) => {
    for (const r of rows) {
      await sqlite.run(
        `INSERT INTO events (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        columns.map((c) => (c === 'position' ? Number(r[c]) : r[c])),
        tx,
      );
    }
  });
  await sqlite.close();
  return { dir, head: Number(rows[rows.length - 1].position) };
}

export { PG_URL };
