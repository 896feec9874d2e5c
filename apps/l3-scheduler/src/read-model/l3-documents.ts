import { itemsChangedSince, type HostDocuments } from '@cp/host-feed';
import type { Database, Tx } from '@cp/store';
import type { L3Delta, L3RouterDoc, L3Snapshot } from '../contract/l3-documents';
import { L3_HOST_LOG } from './l3.tables';
import { routerDocs } from './router-docs';

/**
 * The L3 documents of one host: the routers bound there, each as the agent
 * needs it (the feed in libs/host-feed picks which document and reads it
 * consistently).
 */
export class L3Documents implements HostDocuments<L3Snapshot, L3Delta> {
  constructor(readonly db: Database) {}

  async snapshot(tx: Tx | undefined, host: string, revision: string): Promise<L3Snapshot> {
    const docs = await routerDocs(this.db, tx, host);
    return { host, revision, routers: Object.fromEntries(docs) };
  }

  /** The routers whose document changed since `from`, as they are now (null: no longer on the host). */
  async delta(tx: Tx | undefined, host: string, revision: string, since: string, from: number): Promise<L3Delta> {
    const ids = await itemsChangedSince(this.db, tx, L3_HOST_LOG, host, from);
    const docs = ids.length > 0 ? await routerDocs(this.db, tx, host, ids) : new Map<string, L3RouterDoc>();
    const routers: Record<string, L3RouterDoc | null> = {};
    for (const id of ids) routers[id] = docs.get(id) ?? null;
    return { host, revision, since, resync: false, routers };
  }
}
