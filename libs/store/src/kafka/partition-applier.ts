import type { KafkaMessage } from 'kafkajs';
import { readCheckpoint, writeCheckpoint } from '../checkpoints';
import type { Database, Tx } from '../db';
import { AfterCommit, type Projection } from '../projection';
import { decodeEvent } from './kafka-client';

/** Checkpoint partition of a Kafka partition: `<topic>:<partition>`, position = last applied offset. */
export const kafkaPartitionId = (topic: string, partition: number): string => `${topic}:${partition}`;
/** Sibling row: the highest event position applied from that Kafka partition. */
export const eventPositionId = (partitionId: string): string => `${partitionId}#event-position`;

export interface ChunkResult {
  /** Highest offset of the chunk now covered by the checkpoint (applied or already there), or null. */
  covered: number | null;
  /** The chunk does not continue from the checkpoint: the consumer must seek here. */
  gapAt: number | null;
  applied: number;
  /** Re-sent events (position already applied from this partition) that changed nothing. */
  resent: number;
}

/** The process this instance stands for is dead: roll back, write nothing more. */
export class ProjectorKilledError extends Error {
  override name = 'ProjectorKilledError';
}

/**
 * Applies one partition's messages to a projection in one transaction with that
 * partition's checkpoint, so the read model and "where it is" never disagree.
 *
 * Offsets are contiguous on our topic (no compaction, no transactional markers),
 * so a message applies only if it is exactly checkpoint + 1: anything lower was
 * applied already (a redelivery, or another instance that held the partition),
 * anything higher means this consumer is positioned wrong (e.g. the group's
 * committed offset ran ahead of a truncated read model) and must seek back.
 * The checkpoint is read inside the transaction, so two instances briefly owning
 * one partition during a rebalance serialise on it instead of double-applying.
 */
export class PartitionApplier {
  private readonly handles: Set<string>;

  constructor(
    private readonly db: Database,
    private readonly projection: Projection,
    private readonly options: { appliedLog?: boolean; isKilled?: () => boolean } = {},
  ) {
    this.handles = new Set(projection.handles);
  }

  async apply(partitionId: string, messages: KafkaMessage[]): Promise<ChunkResult> {
    for (let attempt = 1; ; attempt++) {
      const after = new AfterCommit({ batched: true });
      try {
        const result = await this.db.transaction((tx) => this.applyIn(tx, partitionId, messages, after));
        after.run();
        return result;
      } catch (err) {
        // PostgreSQL runs these transactions SERIALIZABLE: concurrent partitions can
        // collide on shared index pages. Re-running re-reads the checkpoint, so it is safe.
        if (!isSerializationFailure(err) || attempt >= 20 || this.options.isKilled?.()) throw err;
        await new Promise((r) => setTimeout(r, Math.min(500, 10 * attempt + Math.random() * 20 * attempt)));
      }
    }
  }

  private async applyIn(tx: Tx, partitionId: string, messages: KafkaMessage[], after: AfterCommit): Promise<ChunkResult> {
    const name = this.projection.name;
    const start = (await readCheckpoint(this.db, name, partitionId, tx))?.position ?? -1;
    const startPosition = (await readCheckpoint(this.db, name, eventPositionId(partitionId), tx))?.position ?? 0;
    let offset = start;
    let position = startPosition;
    const result: ChunkResult = { covered: null, gapAt: null, applied: 0, resent: 0 };
    for (const m of messages) {
      const o = Number(m.offset);
      if (o <= offset) {
        result.covered = o;
        continue;
      }
      if (o !== offset + 1) {
        result.gapAt = offset + 1;
        break;
      }
      const event = decodeEvent(m.value);
      const p = event.metadata.position!;
      // Per partition the relay publishes in position order, and a re-sent tail
      // only repeats positions it published before: so <= max means "already applied".
      if (p > position) {
        if (this.handles.has(event.type)) {
          await this.projection.apply(tx, event, after);
          if (this.options.appliedLog) {
            await this.db.run(
              'INSERT INTO applied_log (projection, position, partition, kafka_offset) VALUES (?, ?, ?, ?)',
              [name, p, partitionId, o],
              tx,
            );
          }
        }
        position = p;
        result.applied += 1;
      } else {
        result.resent += 1;
      }
      offset = o;
      result.covered = o;
    }
    await after.flush();
    if (this.options.isKilled?.()) throw new ProjectorKilledError('projector killed; transaction rolled back');
    if (offset !== start) {
      const version = this.projection.version;
      await writeCheckpoint(this.db, tx, name, partitionId, { position: offset, version });
      await writeCheckpoint(this.db, tx, name, eventPositionId(partitionId), { position, version });
    }
    return result;
  }
}

export function isSerializationFailure(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '40001' ||
    e?.code === '40P01' ||
    /could not serialize|deadlock detected|SQLITE_BUSY|database is locked/i.test(e?.message ?? '')
  );
}
