/**
 * The per-host agent feed (`@cp/host-feed`) that every agent read model serves:
 * revisions (`<epoch>-<n>` per host, with a compaction horizon), the changes
 * since a revision or a resync, watch streams over server-sent events, the
 * per-host hub a projection wakes after its commits, the revision poller for
 * commits made elsewhere, and PostgreSQL NOTIFY between instances.
 */
export * from './feed-clock';
export * from './feed-tables';
export * from './host-feed';
export * from './host-hub';
export * from './host-items';
export * from './item-changes';
export * from './pg-host-feed';
export * from './revision-poller';
export * from './revisions';
export * from './watch-session';
export * from './feed-client';
export * from './history';
export * from './provenance';
export * from './change-batcher';
