import { LRUCache } from 'lru-cache';
import { binaryChunks, placeholders, type AfterCommit, type Sql } from '@cp/store';
import { nullableNumber } from '../model/rules';
import { loadMembers, type Member, type NetMeta } from './members';

/** What a batch reads of a network each time it touches it (design.md §7, "Hot state"). */
export interface NetworkState {
  /** Live members by host (l2_members). */
  members: Map<string, Member>;
  /** Hosts taking part, with the type and segment they were shown (live l2_host_nets rows). */
  viewers: Map<string, NetMeta>;
  /** The network's member and FDB tombstones at or below it were compacted (l2_net_horizons). */
  horizon: number;
}

/** What a batch reads of a set (group, ethertype): who holds it, and its compaction horizon. */
export interface SetState {
  holders: Set<string>;
  horizon: number;
}

type State = NetworkState | SetState;

interface Entry {
  epoch: number;
  version: number;
  state: State;
}

/** Rows (members, viewers and holders, one per key besides) kept in memory by default (CP_L2_HOT_ROWS). */
export const DEFAULT_HOT_ROWS = 500_000;

const netKey = (networkId: string) => `n:${networkId}`;
const setKey = (sgId: string, ethertype: string) => `s:${ethertype}/${sgId}`;

/**
 * Per-network and per-set state the projection keeps in memory between
 * batches, with the database as the durable copy. Every batch that changes a
 * network's or set's rows also moves its version (l2_state_versions) in the same
 * transaction; a batch reads the versions of the keys it touches (one query)
 * and uses the copy in memory only when its version is the database's, in the
 * model's current epoch. So another projector instance writing the same
 * network (a tunnel IP change keyed by host, a router keyed by project), a
 * rebuild or a restore by another process, or a rolled-back batch is a miss,
 * never a stale read. On PostgreSQL the version read takes part in the
 * transaction's serializable checks like the rows it stands for. Epochs are
 * never reused (libs/host-feed FeedClock), so a version number is unique per epoch.
 */
export class HotState {
  private readonly cache: LRUCache<string, Entry>;
  hits = 0;
  misses = 0;

  constructor(readonly maxRows = DEFAULT_HOT_ROWS) {
    this.cache = new LRUCache<string, Entry>({ maxSize: maxRows, sizeCalculation: (e) => 1 + rows(e.state) });
  }

  begin(q: Sql): HotBatch {
    return new HotBatch(q, this);
  }

  /** Rows held now (members, viewers and holders, plus one per key). */
  get size(): number {
    return this.cache.calculatedSize;
  }

  clear(): void {
    this.cache.clear();
  }

  /** @internal the batch's view of the cache */
  lookup(key: string, epoch: number, version: number): State | undefined {
    const e = this.cache.get(key);
    if (e && e.epoch === epoch && e.version === version) {
      this.hits += 1;
      return e.state;
    }
    this.misses += 1;
    return undefined;
  }

  /** @internal after a commit */
  store(key: string, entry: Entry | null): void {
    if (entry) this.cache.set(key, entry);
    else this.cache.delete(key);
  }
}

/**
 * One batch's copies of the states it touches. Load them first (`load`), change
 * them as the batch records its rows (`network`, `set`, `touch*`), then `commit`
 * in the transaction: the changed keys' versions move, and once the transaction
 * has committed the copies replace the cached ones.
 */
export class HotBatch {
  /** The model's written epoch; null while the model is empty (nothing is cached then). */
  private epoch: number | null = null;
  private readonly loaded = new Map<string, { version: number; state: State }>();
  private readonly changed = new Set<string>();

  constructor(
    private readonly q: Sql,
    private readonly hot: HotState,
  ) {}

  /** Reads the versions of these networks and sets in one query, and the states of those not in memory at that version. */
  async load(networkIds: Iterable<string>, sets: Iterable<{ groupId: string; ethertype: string }>): Promise<void> {
    const wanted = new Map<string, () => Promise<State>>();
    for (const id of networkIds) wanted.set(netKey(id), () => loadNetwork(this.q, id));
    for (const { groupId, ethertype } of sets) wanted.set(setKey(groupId, ethertype), () => loadSet(this.q, groupId, ethertype));
    const keys = [...wanted.keys()].filter((k) => !this.loaded.has(k));
    if (keys.length === 0) return;
    const row = await this.q.get<{ epoch: number }>('SELECT epoch FROM l2_model WHERE id = 1');
    this.epoch = row ? Number(row.epoch) : null;
    const versions = await this.versions(keys);
    for (const key of keys) {
      const version = versions.get(key) ?? 0;
      const cached = this.epoch === null ? undefined : this.hot.lookup(key, this.epoch, version);
      this.loaded.set(key, { version, state: cached ? copy(cached) : await wanted.get(key)!() });
    }
  }

  network(networkId: string): NetworkState {
    return this.get(netKey(networkId)) as NetworkState;
  }

  set(groupId: string, ethertype: string): SetState {
    return this.get(setKey(groupId, ethertype)) as SetState;
  }

  /** The network's rows change in this batch: its version moves. */
  touchNetwork(networkId: string): NetworkState | undefined {
    this.changed.add(netKey(networkId));
    return this.loaded.get(netKey(networkId))?.state as NetworkState | undefined;
  }

  /** The set's holders or horizon change in this batch (whether or not it was loaded): its version moves. */
  touchSet(groupId: string, ethertype: string): SetState | undefined {
    this.changed.add(setKey(groupId, ethertype));
    return this.loaded.get(setKey(groupId, ethertype))?.state as SetState | undefined;
  }

  /** In the batch's transaction, after its rows: moves the changed keys' versions, and caches the copies once committed. */
  async commit(after: AfterCommit): Promise<void> {
    const moved = new Map<string, number>();
    for (const chunk of binaryChunks([...this.changed].sort())) {
      const rows = await this.q.all<{ key: string; version: number }>(
        `INSERT INTO l2_state_versions (state_key, version) VALUES ${chunk.map(() => '(?, 1)').join(', ')}
         ON CONFLICT (state_key) DO UPDATE SET version = l2_state_versions.version + 1 RETURNING state_key AS key, version`,
        chunk,
      );
      for (const r of rows) moved.set(r.key, Number(r.version));
    }
    const epoch = this.epoch;
    after.add(() => {
      for (const key of this.changed) if (!this.loaded.has(key)) this.hot.store(key, null);
      for (const [key, { version, state }] of this.loaded) {
        const now = moved.get(key);
        // A copy is kept only at the version its rows were committed with (one more than read, when this batch moved it).
        const keep = epoch !== null && (now === undefined || now === version + 1);
        this.hot.store(key, keep ? { epoch, version: now ?? version, state } : null);
      }
    });
  }

  private get(key: string): State {
    const entry = this.loaded.get(key);
    if (!entry) throw new Error(`hot state ${key} was not loaded for this batch`);
    return entry.state;
  }

  private async versions(keys: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const chunk of binaryChunks(keys)) {
      const rows = await this.q.all<{ key: string; version: number }>(
        `SELECT state_key AS key, version FROM l2_state_versions WHERE state_key IN (${placeholders(chunk.length)})`,
        chunk,
      );
      for (const r of rows) out.set(r.key, Number(r.version));
    }
    return out;
  }
}

async function loadNetwork(q: Sql, networkId: string): Promise<NetworkState> {
  const shown = await q.all<{ host: string; network_type: string; segmentation_id: number | null }>(
    'SELECT host, network_type, segmentation_id FROM l2_host_nets WHERE network_id = ? AND deleted = 0',
    [networkId],
  );
  const horizon = await q.get<{ horizon: number }>('SELECT horizon FROM l2_net_horizons WHERE network_id = ?', [networkId]);
  return {
    members: await loadMembers(q, networkId),
    viewers: new Map(shown.map((r) => [r.host, { type: r.network_type, seg: nullableNumber(r.segmentation_id) }])),
    horizon: Number(horizon?.horizon ?? 0),
  };
}

async function loadSet(q: Sql, groupId: string, ethertype: string): Promise<SetState> {
  const holders = await q.all<{ host: string }>('SELECT host FROM l2_host_ipsets WHERE sg_id = ? AND ethertype = ? AND deleted = 0', [
    groupId,
    ethertype,
  ]);
  const horizon = await q.get<{ horizon: number }>('SELECT horizon FROM l2_sets WHERE sg_id = ? AND ethertype = ?', [groupId, ethertype]);
  return { holders: new Set(holders.map((r) => r.host)), horizon: Number(horizon?.horizon ?? 0) };
}

/** The batch changes its own copy; the cached one stays as committed until the batch commits. */
function copy(state: State): State {
  return 'members' in state
    ? { members: new Map(state.members), viewers: new Map(state.viewers), horizon: state.horizon }
    : { holders: new Set(state.holders), horizon: state.horizon };
}

function rows(state: State): number {
  return 'members' in state ? state.members.size + state.viewers.size : state.holders.size;
}
