import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Database } from '../db';
import { kafkaPartitionId, PartitionApplier, ProjectorKilledError } from './partition-applier';

export interface ProjectorMetrics {
  /** `count` new events went through the projection from `partition`, the last produced at `lastProducedAt` (ms). */
  applied?(partition: number, count: number, lastProducedAt: number): void;
  /** Messages in `partition` after the last applied one. */
  lag?(partition: number, lag: number): void;
}

export interface GroupMemberConfig {
  kafka: Kafka;
  db: Database;
  applier: PartitionApplier;
  projection: string;
  topic: string;
  groupId: string;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  maxWaitTimeInMs?: number;
  chunkSize?: number;
  partitionsConsumedConcurrently?: number;
  metrics?: ProjectorMetrics;
  isKilled(): boolean;
  report(err: unknown, msg: string): void;
}

/**
 * One kafkajs consumer in a group, feeding a PartitionApplier. On every
 * assignment it seeks each partition to the read model's checkpoint + 1; the
 * offsets it commits to the group are advisory (lag tooling), never read back.
 */
export class GroupMember {
  private consumer: Consumer | null = null;
  private stopping = false;
  /** Partitions sought since the last assignment: a second gap there is a broken topic, not a position. */
  private readonly sought = new Set<number>();

  constructor(private readonly c: GroupMemberConfig) {}

  async start(): Promise<void> {
    const consumer = this.c.kafka.consumer({
      groupId: this.c.groupId,
      sessionTimeout: this.c.sessionTimeout ?? 30_000,
      rebalanceTimeout: this.c.rebalanceTimeout ?? 60_000,
      heartbeatInterval: this.c.heartbeatInterval ?? 3_000,
      maxWaitTimeInMs: this.c.maxWaitTimeInMs ?? 1_000,
      allowAutoTopicCreation: false,
      // Never give up on a partition (skipping would lose events): retry, restart, repeat.
      retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 8, restartOnFailure: () => Promise.resolve(!this.stopping) },
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.sought.clear();
      void this.seekToCheckpoints(consumer, payload.memberAssignment[this.c.topic] ?? []);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.c.report(payload.error, 'projector consumer crashed');
      // kafkajs restarts by itself after retriable errors; after any other it would sit
      // in the group no more while the read model falls behind: start a new consumer.
      if (!payload.restart && !this.stopping && this.consumer === consumer) setTimeout(() => void this.replace(consumer), 2_000);
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.c.topic], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      autoCommitInterval: 5_000,
      partitionsConsumedConcurrently: this.c.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(consumer, payload),
    });
  }

  /** Finishes the transaction in flight (or lets a killed one roll back) and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    const c = this.consumer;
    this.consumer = null;
    await c?.disconnect().catch(() => undefined);
  }

  /**
   * A new consumer in place of one that crashed for good. The broker may still be
   * away (a crash during an outage is often "no group coordinator"): keep trying,
   * backing off, until one joins or the member stops; giving up would leave the
   * read model behind for good.
   */
  private async replace(old: Consumer): Promise<void> {
    let current = old;
    for (let attempt = 1; !this.stopping && this.consumer === current; attempt++) {
      await current.disconnect().catch(() => undefined);
      try {
        await this.start();
        return;
      } catch (err) {
        this.c.report(err, 'projector consumer restart failed; retrying');
        current = this.consumer!;
        await new Promise((r) => setTimeout(r, Math.min(10_000, 1_000 * attempt)));
      }
    }
  }

  private async seekToCheckpoints(consumer: Consumer, partitions: number[]): Promise<void> {
    try {
      const rows = await this.c.db.all<{ partition: string; position: number | string }>(
        'SELECT partition, position FROM checkpoints WHERE projection = ?',
        [this.c.projection],
      );
      const at = new Map(rows.map((r) => [r.partition, Number(r.position)]));
      for (const p of partitions) {
        const cp = at.get(kafkaPartitionId(this.c.topic, p));
        consumer.seek({ topic: this.c.topic, partition: p, offset: String(cp === undefined ? 0 : cp + 1) });
      }
    } catch (err) {
      // Not fatal: the applier still skips what is applied and seeks back on a gap.
      this.c.report(err, 'seeking to checkpoints failed');
    }
  }

  private async eachBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const partitionId = kafkaPartitionId(batch.topic, batch.partition);
    const size = this.c.chunkSize ?? 500;
    for (let i = 0; i < batch.messages.length; i += size) {
      if (!payload.isRunning() || payload.isStale() || this.c.isKilled()) return;
      const chunk = batch.messages.slice(i, i + size);
      let result;
      try {
        result = await this.c.applier.apply(partitionId, chunk);
      } catch (err) {
        if (err instanceof ProjectorKilledError) return;
        this.c.report(err, 'applying events failed; the partition retries from its checkpoint');
        throw err;
      }
      if (result.covered !== null) payload.resolveOffset(String(result.covered));
      if (result.applied > 0) this.c.metrics?.applied?.(batch.partition, result.applied, Number(chunk[chunk.length - 1].timestamp));
      if (result.gapAt !== null) {
        if (this.sought.has(batch.partition)) {
          throw new Error(
            `${partitionId}: offset ${chunk[0].offset} follows checkpoint ${result.gapAt - 1}; the topic lost messages (compacted or truncated?)`,
          );
        }
        this.sought.add(batch.partition);
        consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(result.gapAt) });
        return;
      }
      this.sought.delete(batch.partition);
      if (result.covered !== null) this.c.metrics?.lag?.(batch.partition, Math.max(0, Number(batch.highWatermark) - 1 - result.covered));
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    }
  }
}
