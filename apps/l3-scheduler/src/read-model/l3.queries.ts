import { isConflictError, readHostRevs, type Database, type Tx } from '@cp/store';
import type { L3Changes, L3Delta, L3RouterDoc, L3Snapshot } from '../contract/l3-documents';
import { currentEpoch, formatRevision, parseRevision } from './host-revisions';
import { routerDocs } from './router-docs';
import { cmp } from './sql';

interface HostState {
  epoch: number;
  rev: number;
  horizon: number;
}

/**
 * The per-host L3 documents. Each is read in one transaction, so its revision and
 * its rows describe the same committed state.
 */
export class L3Queries {
  constructor(readonly db: Database) {}

  snapshot(host: string): Promise<L3Snapshot> {
    return this.read(async (tx) => this.snapshotIn(tx, host, await this.hostState(tx, host)));
  }

  /** The changes since `since`, or a snapshot marked `resync: true` when they cannot be given. */
  changes(host: string, since: string | null): Promise<L3Changes> {
    return this.read(async (tx) => {
      const state = await this.hostState(tx, host);
      const from = parseRevision(since);
      // Another epoch (a rebuild), a revision from the future (a restored backup) or
      // one whose tombstones were compacted away: only a snapshot is exact.
      if (!from || from.epoch !== state.epoch || from.rev > state.rev || from.rev < state.horizon) {
        return { ...(await this.snapshotIn(tx, host, state)), since, resync: true };
      }
      return this.deltaIn(tx, host, state, since as string, from.rev);
    });
  }

  /** The current revisions of several hosts, in one or a few reads (the watch poller's). */
  async revisions(hosts: string[]): Promise<Map<string, string>> {
    const epoch = await currentEpoch(this.db);
    const revs = await readHostRevs(this.db, 'l3_host_revs', hosts);
    return new Map([...revs].map(([host, rev]) => [host, formatRevision(epoch, rev)]));
  }

  async revision(host: string): Promise<string> {
    const s = await this.hostState(undefined, host);
    return formatRevision(s.epoch, s.rev);
  }

  private async hostState(tx: Tx | undefined, host: string): Promise<HostState> {
    const epoch = await currentEpoch(this.db, tx);
    const row = await this.db.get<{ rev: number; horizon: number }>('SELECT rev, horizon FROM l3_host_revs WHERE host = ?', [host], tx);
    return { epoch, rev: Number(row?.rev ?? 0), horizon: Number(row?.horizon ?? 0) };
  }

  private async snapshotIn(tx: Tx, host: string, state: HostState): Promise<L3Snapshot> {
    const docs = await routerDocs(this.db, tx, host);
    return { host, revision: formatRevision(state.epoch, state.rev), routers: Object.fromEntries(docs) };
  }

  private async deltaIn(tx: Tx, host: string, state: HostState, since: string, from: number): Promise<L3Delta> {
    const changed = await this.db.all<{ router_id: string }>('SELECT router_id FROM l3_host_routers WHERE host = ? AND rev > ?', [host, from], tx);
    const ids = changed.map((c) => c.router_id).sort(cmp);
    const docs = ids.length > 0 ? await routerDocs(this.db, tx, host, ids) : new Map<string, L3RouterDoc>();
    const routers: Record<string, L3RouterDoc | null> = {};
    for (const id of ids) routers[id] = docs.get(id) ?? null;
    return { host, revision: formatRevision(state.epoch, state.rev), since, resync: false, routers };
  }

  /** PostgreSQL runs transactions SERIALIZABLE; a read-only one may still be asked to retry. */
  async read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(fn);
      } catch (err) {
        if (attempt >= 5 || !isConflictError(err)) throw err;
      }
    }
  }
}
