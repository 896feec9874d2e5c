import { rebuildReadModel, verifyReadModel, type Database, type EventStore, type ReadModelSpec, type VerifyResult } from '@cp/store';
import { l2DigestParts } from './projection/digest';
import { L2popProjection } from './projection/l2pop.projection';
import { openReadModel } from './runtime';

export type { VerifyResult };

const L2_MODEL: ReadModelSpec = {
  projection: (db) => new L2popProjection(db),
  parts: l2DigestParts,
  openScratch: (path) => openReadModel({ kind: 'sqlite', path, synchronous: 'NORMAL' }),
};

/** Rebuilds the L2 model into a scratch store and compares digests with the live one (libs/store). */
export function verify(store: EventStore, live: Database): Promise<VerifyResult> {
  return verifyReadModel(store, live, L2_MODEL);
}

/** Truncates the live model and replays from position 0. Run it with the server stopped. */
export function rebuild(store: EventStore, live: Database): Promise<number> {
  return rebuildReadModel(store, new L2popProjection(live), live);
}
