/**
 * A host's revision is `<epoch>-<n>`: n is the host's place on its read model's
 * clock, the epoch counts rebuilds of the model, so a revision from before a
 * rebuild is recognised and answered with a resync. Opaque to agents, comparable
 * here.
 */
export function formatRevision(epoch: number, rev: number): string {
  return `${epoch}-${rev}`;
}

export function parseRevision(text: string | null | undefined): { epoch: number; rev: number } | null {
  const m = /^(\d{1,15})-(\d{1,15})$/.exec(text ?? '');
  return m ? { epoch: Number(m[1]), rev: Number(m[2]) } : null;
}

/** Where a host stands: the model's epoch, the host's revision, and the oldest revision a delta can still start from. */
export interface HostState {
  epoch: number;
  rev: number;
  horizon: number;
}

/**
 * Whether the changes since `since` can be given as a delta. Not for another
 * epoch (the model was rebuilt), a revision from the future (a restored backup)
 * or one whose tombstones were compacted away: only a snapshot is exact then.
 */
export function deltaFrom(since: string | null, state: HostState): number | null {
  const from = parseRevision(since);
  if (!from || from.epoch !== state.epoch || from.rev > state.rev || from.rev < state.horizon) return null;
  return from.rev;
}

export interface CompactionOptions {
  /** Tombstones stay this many host revisions, so an agent this far behind still gets a delta. */
  keepRevisions: number;
  /** Compact once a host's (or a network's) revision has moved this far past that window. */
  compactEvery: number;
}

export const DEFAULT_COMPACTION: CompactionOptions = { keepRevisions: 1000, compactEvery: 100 };

/** Whether a host stood still between two reads of its state (reads made in between saw one committed state). */
export function sameState(a: HostState, b: HostState): boolean {
  return a.epoch === b.epoch && a.rev === b.rev && a.horizon === b.horizon;
}
