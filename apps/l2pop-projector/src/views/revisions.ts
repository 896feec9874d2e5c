import type { Database, Tx } from '../../../../libs/store/src';
import type { TxSql } from '../projection/sql';

export interface CompactionOptions {
  /** Tombstones stay this many host revisions, so an agent this far behind still gets a delta. */
  keepRevisions: number;
  /** Compact a host every this many of its revisions (not on every change: that is a DELETE per write). */
  compactEvery: number;
}

export const DEFAULT_COMPACTION: CompactionOptions = { keepRevisions: 1000, compactEvery: 100 };

/**
 * Hands out each touched host's next revision for one batch (lazily: a host
 * whose rows do not change keeps its revision) and persists them with the
 * batch's writes. Revisions are per host and only ever grow within an epoch;
 * rows that several events of a batch changed all carry the one new revision.
 */
export class RevTracker {
  private readonly next = new Map<string, number>();

  constructor(private readonly q: TxSql) {}

  async revFor(host: string): Promise<number> {
    let rev = this.next.get(host);
    if (rev === undefined) {
      const row = await this.q.get<{ rev: number }>('SELECT rev FROM l2_host_revs WHERE host = ?', [host]);
      rev = Number(row?.rev ?? 0) + 1;
      this.next.set(host, rev);
    }
    return rev;
  }

  get touched(): ReadonlyMap<string, number> {
    return this.next;
  }

  /** Persists the new revisions and compacts old tombstones; returns the epoch they belong to. */
  async commit(options: CompactionOptions): Promise<number> {
    if (this.next.size === 0) return 0;
    const epoch = await ensureEpoch(this.q);
    for (const [host, rev] of this.next) {
      await this.q.run(
        `INSERT INTO l2_host_revs (host, rev, horizon) VALUES (?, ?, 0)
         ON CONFLICT (host) DO UPDATE SET rev = excluded.rev`,
        [host, rev],
      );
      if (rev % options.compactEvery === 0 && rev > options.keepRevisions) {
        const horizon = rev - options.keepRevisions;
        for (const t of ['l2_view_nets', 'l2_view_fdb', 'l2_view_ipsets']) {
          await this.q.run(`DELETE FROM ${t} WHERE host = ? AND deleted = 1 AND rev <= ?`, [host, horizon]);
        }
        await this.q.run('UPDATE l2_host_revs SET horizon = ? WHERE host = ?', [horizon, host]);
      }
    }
    return epoch;
  }
}

/** The model's epoch, starting a new one when the model was truncated (a rebuild). */
async function ensureEpoch(q: TxSql): Promise<number> {
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
