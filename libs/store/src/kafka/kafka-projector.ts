import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { CheckpointTable } from '../checkpoint-table';
import { clearCheckpoints } from '../checkpoints';
import type { Database } from '../db';
import type { Projection } from '../projection';
import { GroupMember, type ProjectorMetrics } from './group-member';
import {
  DEFAULT_PARTITIONS,
  DEFAULT_TOPIC,
  ensureTopic,
  kafkaClient,
  silentLogger,
  type KafkaConnection,
  type KafkaLogger,
} from './kafka-client';
import { PartitionApplier } from './partition-applier';
import { AppliedLogTable } from './tables';
import { caughtUp, highWatermarks, lagBehind, type Watermarks } from './watermarks';

export interface KafkaProjectorOptions extends KafkaConnection {
  topic?: string;
  /** Used only if this instance is the one creating the topic. */
  partitions?: number;
  replicationFactor?: number;
  /** Defaults to `controlplane.<projection name>`. */
  groupId?: string;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  maxWaitTimeInMs?: number;
  /** Messages per read-model transaction (default 500). */
  chunkSize?: number;
  partitionsConsumedConcurrently?: number;
  /** Test aid: record (projection, position) of every applied event; a repeat fails loudly. */
  appliedLog?: boolean;
  metrics?: ProjectorMetrics;
  logger?: KafkaLogger;
  onError?(err: unknown): void;
}

/**
 * Runs a projection from the event topic in a consumer group (distributed mode).
 * The read model's checkpoints, one per Kafka partition and committed with its
 * rows, are the truth about where it is; see docs/distributed-mode.md.
 */
export class KafkaProjector {
  readonly topic: string;
  readonly groupId: string;
  private readonly kafka: Kafka;
  private readonly applier: PartitionApplier;
  private readonly log: KafkaLogger;
  private member: GroupMember | null = null;
  private admin: Admin | null = null;
  private killed = false;

  constructor(
    readonly db: Database,
    readonly projection: Projection,
    private readonly options: KafkaProjectorOptions,
  ) {
    this.topic = options.topic ?? DEFAULT_TOPIC;
    this.groupId = options.groupId ?? `controlplane.${projection.name}`;
    this.kafka = kafkaClient(options, `controlplane-${projection.name}`);
    this.log = options.logger ?? silentLogger;
    this.applier = new PartitionApplier(db, projection, { appliedLog: options.appliedLog, isKilled: () => this.killed });
  }

  async start(): Promise<void> {
    await this.db.ensureTables([CheckpointTable, ...this.projection.tables, ...(this.options.appliedLog ? [AppliedLogTable] : [])]);
    // Rows built from another source (the embedded store tail) or by another version cannot be continued from here.
    const rows = await this.db.all<{ partition: string; version: number }>(
      'SELECT partition, version FROM checkpoints WHERE projection = ?',
      [this.projection.name],
    );
    if (rows.some((r) => !r.partition.startsWith(`${this.topic}:`) || Number(r.version) !== this.projection.version)) {
      this.log.info(
        { projection: this.projection.name, version: this.projection.version },
        `${this.projection.name} read model: rebuilding from the topic's beginning (written by another version or source); /readyz turns ready once caught up`,
      );
      await this.reset();
    }
    await ensureTopic(this.kafka, {
      topic: this.topic,
      partitions: this.options.partitions ?? DEFAULT_PARTITIONS,
      replicationFactor: this.options.replicationFactor ?? 1,
    });
    this.killed = false;
    await this.join(this.groupId);
  }

  /** Graceful: finishes the transaction in flight and leaves the group. `abrupt`: rolls it back and writes nothing more, like a crash. */
  async stop(opts: { abrupt?: boolean } = {}): Promise<void> {
    if (opts.abrupt) this.killed = true;
    await this.leave();
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
  }

  /** Per partition, messages not yet in the read model (whichever instance holds the partition). */
  async lag(): Promise<Map<number, number>> {
    return lagBehind(this.db, this.projection.name, this.topic, await highWatermarks(await this.connectedAdmin(), this.topic));
  }

  async caughtUp(targets?: Watermarks): Promise<boolean> {
    return caughtUp(this.db, this.projection.name, this.topic, targets ?? (await highWatermarks(await this.connectedAdmin(), this.topic)));
  }

  /** Waits until the read model holds everything the topic held when this was called. */
  async waitUntilCaughtUp(timeoutMs = 60_000): Promise<void> {
    const targets = await highWatermarks(await this.connectedAdmin(), this.topic);
    const deadline = Date.now() + timeoutMs;
    while (!(await this.caughtUp(targets))) {
      if (Date.now() > deadline) throw new Error(`${this.projection.name} not caught up with ${this.topic} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Truncates the read model and its checkpoints and replays the topic from offset 0
   * with a fresh group until it reaches the high watermarks as of the start; then
   * rejoins the normal group if it was in it (its seeks follow the new checkpoints).
   */
  async rebuildFromTopic(timeoutMs = 120_000): Promise<void> {
    const wasRunning = this.member !== null;
    const started = Date.now();
    this.log.info({ projection: this.projection.name }, `${this.projection.name} read model: rebuilding from the topic's beginning`);
    await this.leave();
    await this.reset();
    const groupId = `${this.groupId}.rebuild.${randomUUID().slice(0, 8)}`;
    await this.join(groupId);
    try {
      await this.waitUntilCaughtUp(timeoutMs);
    } finally {
      await this.leave();
      await (await this.connectedAdmin()).deleteGroups([groupId]).catch(() => undefined);
    }
    this.log.info(
      { projection: this.projection.name, ms: Date.now() - started },
      `${this.projection.name} read model: rebuilt from the topic in ${Date.now() - started} ms`,
    );
    if (wasRunning) await this.join(this.groupId);
  }

  private async reset(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.db.truncate([...this.projection.tableNames], tx);
      await clearCheckpoints(this.db, this.projection.name, tx);
      if (this.options.appliedLog) await this.db.run('DELETE FROM applied_log WHERE projection = ?', [this.projection.name], tx);
    });
  }

  private async join(groupId: string): Promise<void> {
    const o = this.options;
    const member = new GroupMember({
      kafka: this.kafka,
      db: this.db,
      applier: this.applier,
      projection: this.projection.name,
      topic: this.topic,
      groupId,
      sessionTimeout: o.sessionTimeout,
      rebalanceTimeout: o.rebalanceTimeout,
      heartbeatInterval: o.heartbeatInterval,
      maxWaitTimeInMs: o.maxWaitTimeInMs,
      chunkSize: o.chunkSize,
      partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
      metrics: o.metrics,
      isKilled: () => this.killed,
      report: (err, msg) => {
        this.log.error({ err, projection: this.projection.name, topic: this.topic, groupId }, msg);
        o.onError?.(err);
      },
    });
    this.member = member;
    await member.start();
  }

  private async leave(): Promise<void> {
    const m = this.member;
    this.member = null;
    await m?.stop();
  }

  private async connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }
}
