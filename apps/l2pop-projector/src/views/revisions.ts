import type { Database, Tx } from '@cp/store';
import type { TxSql } from '../projection/sql';

/*
 * Revisions are `<epoch>-<n>`: n is the host's place on the model's clock
 * (views/stamp.ts); the epoch counts rebuilds of the model, so a revision from
 * before a rebuild is recognised and answered with a resync.
 */

/** The model's epoch, starting a new one when the model was truncated (a rebuild). */
export async function ensureEpoch(q: TxSql): Promise<number> {
  const row = await q.get<{ epoch: number }>('SELECT epoch FROM l2_model WHERE id = 1');
  if (row) return Number(row.epoch);
  const epoch = await upcomingEpoch(q.db, q.tx);
  await q.run(
    `INSERT INTO l2_epochs (id, last_epoch) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_epoch = excluded.last_epoch`,
    [epoch],
  );
  await q.run('INSERT INTO l2_model (id, epoch) VALUES (1, ?)', [epoch]);
  return epoch;
}

/** The current epoch; for an empty (fresh or just truncated) model, the one its first write will start. */
export async function currentEpoch(db: Database, tx?: Tx): Promise<number> {
  const row = await db.get<{ epoch: number }>('SELECT epoch FROM l2_model WHERE id = 1', [], tx);
  return row ? Number(row.epoch) : upcomingEpoch(db, tx);
}

async function upcomingEpoch(db: Database, tx?: Tx): Promise<number> {
  const last = await db.get<{ last_epoch: number }>('SELECT last_epoch FROM l2_epochs WHERE id = 1', [], tx);
  return Number(last?.last_epoch ?? 0) + 1;
}

/** Revisions are `<epoch>-<n>`: opaque to agents, comparable by us. */
export function formatRevision(epoch: number, rev: number): string {
  return `${epoch}-${rev}`;
}

export function parseRevision(text: string | null | undefined): { epoch: number; rev: number } | null {
  const m = /^(\d{1,15})-(\d{1,15})$/.exec(text ?? '');
  return m ? { epoch: Number(m[1]), rev: Number(m[2]) } : null;
}
