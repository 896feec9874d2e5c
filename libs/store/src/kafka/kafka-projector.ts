import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { CheckpointTable } from '../checkpoint-table';
import { clearCheckpoints } from '../checkpoints';
import type { Database } from '../database';
import type { Projection } from '../projection';
import { DEFAULT_PARTITIONS, DEFAULT_TOPIC, ensureTopic, kafkaClient, silentLogger, type KafkaConnection, type KafkaLogger } from './kafka-client';
import { kafkaPartitionId, PartitionApplier, ProjectorKilledError } from './partition-applier';
import { AppliedLogTable, ensureTables } from './tables';
import { caughtUp, highWatermarks, type Watermarks } from './watermarks';

export interface ProjectorMetrics {
  /** `count` new events went through the projection from `partition`. */
  applied?(partition: number, count: number): void;
  /** Messages in `partition` after the last applied one. */
  lag?(partition: number, lag: number): void;
}

export interface KafkaProjectorOptions extends KafkaConnection {
  topic?: string;
  /** Used only if this instance is the one creating the topic. */
  partitions?: number;
  /** Defaults to `controlplane.<projection name>`. */
  groupId?: string;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  maxWaitTimeInMs?: number;
  /** Messages per read-model transaction. */
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
 * The read model's checkpoints, one per Kafka partition, are the truth about
 * where it is: on every assignment each partition is sought to its checkpoint
 * + 1, and the group's committed offsets are only advisory (for lag tooling).
 */
export class KafkaProjector {
  readonly topic: string;
  readonly groupId: string;
  private readonly kafka: Kafka;
  private readonly applier: PartitionApplier;
  private readonly log: KafkaLogger;
  private consumer: Consumer | null = null;
  private admin: Admin | null = null;
  private stopping = false;
  private killed = false;
  /** Partitions sought since the last assignment: a second gap there is a broken topic, not a position. */
  private readonly sought = new Set<number>();

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
    await ensureTables(this.db, [CheckpointTable, ...this.projection.tables, ...(this.options.appliedLog ? [AppliedLogTable] : [])]);
    // Rows built from another source or by another version cannot be continued from here.
    const foreign = await this.db.all<{ partition: string; version: number }>(
      'SELECT partition, version FROM checkpoints WHERE projection = ?',
      [this.projection.name],
    );
    if (foreign.some((r) => !r.partition.startsWith(`${this.topic}:`) || Number(r.version) !== this.projection.version)) await this.reset();
    await ensureTopic(this.kafka, { topic: this.topic, partitions: this.options.partitions ?? DEFAULT_PARTITIONS, replicationFactor: 1 });
    this.stopping = false;
    await this.runConsumer(this.groupId);
  }

  /** Graceful: finishes the transaction in flight and leaves the group. `abrupt`: roll it back, like a crash. */
  async stop(opts: { abrupt?: boolean } = {}): Promise<void> {
    if (opts.abrupt) this.killed = true;
    await this.stopConsumer();
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
  }

  /** Whether this projection's checkpoints (any instance's) reach the given or current high watermarks. */
  async caughtUp(targets?: Watermarks): Promise<boolean> {
    return caughtUp(this.db, this.projection.name, this.topic, targets ?? (await highWatermarks(await this.connectedAdmin(), this.topic)));
  }

  /** Waits until the read model holds everything on the topic as of this call. */
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
   * resumes the normal group if it was running (its seeks follow the new checkpoints).
   */
  async rebuildFromTopic(timeoutMs = 120_000): Promise<void> {
    const wasRunning = this.consumer !== null;
    await this.stopConsumer();
    await this.reset();
    this.stopping = false;
    const groupId = `${this.groupId}.rebuild.${randomUUID().slice(0, 8)}`;
    await this.runConsumer(groupId);
    try {
      await this.waitUntilCaughtUp(timeoutMs);
    } finally {
      await this.stopConsumer();
      await (await this.connectedAdmin()).deleteGroups([groupId]).catch(() => undefined);
    }
    this.stopping = false;
    if (wasRunning) await this.runConsumer(this.groupId);
  }

  private async reset(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.db.truncate([...this.projection.tableNames], tx);
      await clearCheckpoints(this.db, this.projection.name, tx);
      if (this.options.appliedLog) await this.db.run('DELETE FROM applied_log WHERE projection = ?', [this.projection.name], tx);
    });
  }

  private async runConsumer(groupId: string): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: this.options.sessionTimeout ?? 30_000,
      rebalanceTimeout: this.options.rebalanceTimeout ?? 60_000,
      heartbeatInterval: this.options.heartbeatInterval ?? 3_000,
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 1_000,
      allowAutoTopicCreation: false,
      // Never give up on a partition (skipping would lose events): retry, restart, repeat.
      retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 8, restartOnFailure: async () => !this.stopping },
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.sought.clear();
      void this.seekToCheckpoints(consumer, payload.memberAssignment[this.topic] ?? []);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.report(payload.error, 'projector consumer crashed');
      // kafkajs restarts by itself after retriable errors; a non-retriable one would stop
      // this instance for good while it still holds partitions, so start a new consumer.
      if (!payload.restart && !this.stopping && this.consumer === consumer) {
        setTimeout(() => void this.replace(consumer, groupId), 2_000);
      }
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      autoCommitInterval: 5_000,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async replace(old: Consumer, groupId: string): Promise<void> {
    if (this.stopping || this.consumer !== old) return;
    await old.disconnect().catch(() => undefined);
    await this.runConsumer(groupId).catch((err) => this.report(err, 'projector consumer restart failed'));
  }

  private async stopConsumer(): Promise<void> {
    this.stopping = true;
    const c = this.consumer;
    this.consumer = null;
    await c?.disconnect().catch(() => undefined);
  }

  private async seekToCheckpoints(consumer: Consumer, partitions: number[]): Promise<void> {
    try {
      const rows = await this.db.all<{ partition: string; position: number | string }>(
        'SELECT partition, position FROM checkpoints WHERE projection = ?',
        [this.projection.name],
      );
      const at = new Map(rows.map((r) => [r.partition, Number(r.position)]));
      for (const p of partitions) {
        const cp = at.get(kafkaPartitionId(this.topic, p));
        consumer.seek({ topic: this.topic, partition: p, offset: String(cp === undefined ? 0 : cp + 1) });
      }
    } catch (err) {
      // Not fatal: the applier still skips what is applied and seeks back on a gap.
      this.report(err, 'seeking to checkpoints failed');
    }
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const partitionId = kafkaPartitionId(batch.topic, batch.partition);
    const size = this.options.chunkSize ?? 500;
    for (let i = 0; i < batch.messages.length; i += size) {
      if (!isRunning() || isStale() || this.killed) return;
      const chunk = batch.messages.slice(i, i + size);
      let result;
      try {
        result = await this.applier.apply(partitionId, chunk);
      } catch (err) {
        if (err instanceof ProjectorKilledError) return;
        this.report(err, 'applying events failed; the partition retries from its checkpoint');
        throw err;
      }
      if (result.covered !== null) resolveOffset(String(result.covered));
      if (result.applied > 0) this.options.metrics?.applied?.(batch.partition, result.applied);
      if (result.gapAt !== null) {
        if (this.sought.has(batch.partition)) {
          throw new Error(`${partitionId}: offset ${chunk[0].offset} follows checkpoint ${result.gapAt - 1}; the topic lost messages (compacted or truncated?)`);
        }
        this.sought.add(batch.partition);
        this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset: String(result.gapAt) });
        return;
      }
      this.sought.delete(batch.partition);
      if (result.covered !== null) this.options.metrics?.lag?.(batch.partition, Math.max(0, Number(batch.highWatermark) - 1 - result.covered));
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  private async connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  private report(err: unknown, msg: string): void {
    this.log.error({ err, projection: this.projection.name, topic: this.topic }, msg);
    this.options.onError?.(err);
  }
}
