import { itemsChangedSince, type HostDocuments } from '@cp/host-feed';
import type { Database, Tx } from '@cp/store';
import type { DhcpConfig } from '../config';
import type { DhcpDelta, DhcpNetworkDoc, DhcpSnapshot } from '../contract/dhcp-documents';
import { DHCP_HOST_LOG } from './dhcp.tables';
import { networkDocs } from './network-docs';

/** The DHCP documents of one host: the networks its DHCP agent serves (the feed picks which document and reads it consistently). */
export class DhcpDocuments implements HostDocuments<DhcpSnapshot, DhcpDelta> {
  constructor(
    readonly db: Database,
    private readonly config: DhcpConfig,
    private readonly deviceId: (host: string, networkId: string) => string,
  ) {}

  async snapshot(tx: Tx | undefined, host: string, revision: string): Promise<DhcpSnapshot> {
    const docs = await networkDocs(this.db, tx, host, this.config, this.deviceId);
    return { host, revision, networks: Object.fromEntries(docs) };
  }

  /** The networks whose document changed since `from`, as they are now (null: no longer served on the host). */
  async delta(tx: Tx | undefined, host: string, revision: string, since: string, from: number): Promise<DhcpDelta> {
    const ids = await itemsChangedSince(this.db, tx, DHCP_HOST_LOG, host, from);
    const docs = ids.length > 0 ? await networkDocs(this.db, tx, host, this.config, this.deviceId, ids) : new Map<string, DhcpNetworkDoc>();
    const networks: Record<string, DhcpNetworkDoc | null> = {};
    for (const id of ids) networks[id] = docs.get(id) ?? null;
    return { host, revision, since, resync: false, networks };
  }
}
