import { binaryChunks, type Database, type Sql, type Tx } from '@cp/store';
import { formatRevision, type HostState } from './revisions';

/**
 * One read model's clock, in its `<prefix>_model`, `<prefix>_epochs` and
 * `<prefix>_host_revs` tables (feed-tables.ts): the model's epoch and each
 * host's revision and horizon. The projection writes it inside its
 * transactions; queries and the revision poller read it.
 */
export class FeedClock {
  constructor(readonly prefix: string) {}

  /** The model's epoch, starting a new one when the model was truncated (a rebuild). */
  async ensureEpoch(q: Sql): Promise<number> {
    const row = await q.get<{ epoch: number }>(`SELECT epoch FROM ${this.prefix}_model WHERE id = 1`);
    if (row) return Number(row.epoch);
    const epoch = await this.upcomingEpoch(q.db, q.tx);
    await q.run(
      `INSERT INTO ${this.prefix}_epochs (id, last_epoch) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_epoch = excluded.last_epoch`,
      [epoch],
    );
    await q.run(`INSERT INTO ${this.prefix}_model (id, epoch) VALUES (1, ?)`, [epoch]);
    return epoch;
  }

  /**
   * One query (it runs twice per document, so on PostgreSQL round trips count):
   * the model's epoch (for an empty model, the one its first write will start)
   * and the host's revision and horizon.
   */
  async hostState(db: Database, host: string, tx?: Tx): Promise<HostState> {
    const row = await db.get<{ epoch: number | null; last_epoch: number | null; rev: number | null; horizon: number | null }>(
      `SELECT (SELECT epoch FROM ${this.prefix}_model WHERE id = 1) AS epoch, (SELECT last_epoch FROM ${this.prefix}_epochs WHERE id = 1) AS last_epoch,
         (SELECT rev FROM ${this.prefix}_host_revs WHERE host = ?) AS rev, (SELECT horizon FROM ${this.prefix}_host_revs WHERE host = ?) AS horizon`,
      [host, host],
      tx,
    );
    const epoch = row?.epoch !== null && row?.epoch !== undefined ? Number(row.epoch) : Number(row?.last_epoch ?? 0) + 1;
    return { epoch, rev: Number(row?.rev ?? 0), horizon: Number(row?.horizon ?? 0) };
  }

  /** `hostState` of several hosts: two queries however many (a batch of watchers woken by one commit). */
  async hostStates(db: Database, hosts: readonly string[]): Promise<Map<string, HostState>> {
    const epoch = await this.currentEpoch(db);
    const states = new Map<string, HostState>(hosts.map((h) => [h, { epoch, rev: 0, horizon: 0 }]));
    for (let i = 0; i < hosts.length; i += 500) {
      const chunk = hosts.slice(i, i + 500);
      const rows = await db.all<{ host: string; rev: number; horizon: number }>(
        `SELECT host, rev, horizon FROM ${this.prefix}_host_revs WHERE host IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) states.set(r.host, { epoch, rev: Number(r.rev), horizon: Number(r.horizon) });
    }
    return states;
  }

  /** The current revisions of several hosts, in one read per 500 hosts (the watch poller's). */
  async revisions(db: Database, hosts: readonly string[]): Promise<Map<string, string>> {
    const epoch = await this.currentEpoch(db);
    const revs = new Map<string, number>(hosts.map((h) => [h, 0]));
    for (let i = 0; i < hosts.length; i += 500) {
      const chunk = hosts.slice(i, i + 500);
      const rows = await db.all<{ host: string; rev: number }>(
        `SELECT host, rev FROM ${this.prefix}_host_revs WHERE host IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) revs.set(r.host, Number(r.rev));
    }
    return new Map([...revs].map(([host, rev]) => [host, formatRevision(epoch, rev)]));
  }

  /** Moves a host to revision `rev`, keeping its horizon. */
  async advance(q: Sql, host: string, rev: number): Promise<void> {
    await q.run(
      `INSERT INTO ${this.prefix}_host_revs (host, rev, horizon) VALUES (?, ?, 0) ON CONFLICT (host) DO UPDATE SET rev = excluded.rev`,
      [host, rev],
    );
  }

  /** Moves a host to revision `rev` with tombstones kept from `horizon` on. */
  async writeRevision(q: Sql, host: string, rev: number, horizon: number): Promise<void> {
    await q.run(
      `INSERT INTO ${this.prefix}_host_revs (host, rev, horizon) VALUES (?, ?, ?)
       ON CONFLICT (host) DO UPDATE SET rev = excluded.rev, horizon = excluded.horizon`,
      [host, rev, horizon],
    );
  }

  /** `writeRevision` for several hosts, in one statement per power-of-two chunk (a batch moves every host it concerns). */
  async writeRevisions(q: Sql, rows: ReadonlyArray<{ host: string; rev: number; horizon: number }>): Promise<void> {
    for (const chunk of binaryChunks(rows)) {
      await q.run(
        `INSERT INTO ${this.prefix}_host_revs (host, rev, horizon) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}
         ON CONFLICT (host) DO UPDATE SET rev = excluded.rev, horizon = excluded.horizon`,
        chunk.flatMap((r) => [r.host, r.rev, r.horizon]),
      );
    }
  }

  /** The current epoch; for an empty (fresh or just truncated) model, the one its first write will start. */
  async currentEpoch(db: Database, tx?: Tx): Promise<number> {
    const row = await db.get<{ epoch: number }>(`SELECT epoch FROM ${this.prefix}_model WHERE id = 1`, [], tx);
    return row ? Number(row.epoch) : this.upcomingEpoch(db, tx);
  }

  /**
   * Starts a new epoch on a model put back from a snapshot. Its revisions were
   * handed out before, in the timeline the snapshot left behind, so agents
   * holding one must get a resync, not a delta: the new epoch is above any the
   * model knows and at least `atLeast` (the caller passes the clock's seconds,
   * above the epochs of a lost file it cannot read).
   */
  async renewEpoch(db: Database, atLeast: number): Promise<number> {
    return db.transaction(async (tx) => {
      const known = Math.max(await this.upcomingEpoch(db, tx), (await this.currentEpoch(db, tx)) + 1);
      const epoch = Math.max(known, atLeast);
      await db.run(`DELETE FROM ${this.prefix}_epochs`, [], tx);
      await db.run(`INSERT INTO ${this.prefix}_epochs (id, last_epoch) VALUES (1, ?)`, [epoch], tx);
      await db.run(`DELETE FROM ${this.prefix}_model`, [], tx);
      await db.run(`INSERT INTO ${this.prefix}_model (id, epoch) VALUES (1, ?)`, [epoch], tx);
      return epoch;
    });
  }

  private async upcomingEpoch(db: Database, tx?: Tx): Promise<number> {
    const last = await db.get<{ last_epoch: number }>(`SELECT last_epoch FROM ${this.prefix}_epochs WHERE id = 1`, [], tx);
    return Number(last?.last_epoch ?? 0) + 1;
  }
}
