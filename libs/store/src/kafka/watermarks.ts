import type { Admin } from 'kafkajs';
import type { Database } from '../db';
import { kafkaPartitionId } from './partition-applier';

/** Per partition: the offset the next message will get (Kafka's high watermark). */
export type Watermarks = Map<number, number>;

export async function highWatermarks(admin: Admin, topic: string): Promise<Watermarks> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

/**
 * Per partition, messages after the projection's checkpoint. Read from the read
 * model, not from one consumer, so it covers every instance of the group.
 */
export async function lagBehind(db: Database, projection: string, topic: string, targets: Watermarks): Promise<Map<number, number>> {
  const rows = await db.all<{ partition: string; position: number | string }>(
    'SELECT partition, position FROM checkpoints WHERE projection = ?',
    [projection],
  );
  const at = new Map(rows.map((r) => [r.partition, Number(r.position)]));
  const lag = new Map<number, number>();
  for (const [p, high] of targets) lag.set(p, Math.max(0, high - 1 - (at.get(kafkaPartitionId(topic, p)) ?? -1)));
  return lag;
}

export async function caughtUp(db: Database, projection: string, topic: string, targets: Watermarks): Promise<boolean> {
  for (const lag of (await lagBehind(db, projection, topic, targets)).values()) if (lag > 0) return false;
  return true;
}
