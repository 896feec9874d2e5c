import type { Database, Tx } from './db';

export interface Checkpoint {
  position: number;
  version: number;
}

export async function readCheckpoint(db: Database, projection: string, partition: string, tx?: Tx): Promise<Checkpoint | null> {
  const row = await db.get<{ position: number | string; version: number }>(
    'SELECT position, version FROM checkpoints WHERE projection = ? AND partition = ?',
    [projection, partition],
    tx,
  );
  return row ? { position: Number(row.position), version: Number(row.version) } : null;
}

export async function writeCheckpoint(db: Database, tx: Tx, projection: string, partition: string, cp: Checkpoint): Promise<void> {
  await db.run(
    `INSERT INTO checkpoints (projection, partition, position, version) VALUES (?, ?, ?, ?)
     ON CONFLICT (projection, partition) DO UPDATE SET position = excluded.position, version = excluded.version`,
    [projection, partition, cp.position, cp.version],
    tx,
  );
}

export async function clearCheckpoints(db: Database, projection: string, tx?: Tx): Promise<void> {
  await db.run('DELETE FROM checkpoints WHERE projection = ?', [projection], tx);
}
