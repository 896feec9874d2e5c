import type { DomainEvent } from '@cp/events';
import { bindingsOf, routerPlacementDecider, type RouterPlacementState } from '@cp/domain';
import { routerHaStream } from '@cp/write-model';
import type { StreamReader } from './stream-reader';

/** A router's `router-ha` stream folded: the recorded placement decision. */
export interface PlacementEntry {
  state: RouterPlacementState;
  version: number;
  /** Latest position among the causes of the stream's decisions (see StreamReader.latestCause). */
  causePos: number;
}

const DECISIONS = new Set(['RouterScheduledToAgent', 'RouterUnscheduledFromAgent', 'RouterSchedulingPending']);
const PREFIX = routerHaStream('');

/**
 * Every router's placement, kept in step with the store: folded from the stream on
 * first use, advanced by this scheduler's own appends and by the decisions it reads
 * on the tail (another instance's included). Indexed by agent, because failover
 * asks "which routers run on this agent" and placement asks "how loaded is it".
 */
export class Placements {
  private readonly entries = new Map<string, PlacementEntry>();
  private readonly byAgent = new Map<string, Set<string>>();
  /** Router ids whose entry changed since the last save. */
  readonly dirty = new Set<string>();

  constructor(private readonly reader: StreamReader) {}

  async get(routerId: string): Promise<PlacementEntry> {
    return this.entries.get(routerId) ?? this.reload(routerId);
  }

  peek(routerId: string): PlacementEntry | undefined {
    return this.entries.get(routerId);
  }

  /** Reads what the store holds beyond the cached version (what another writer, or a command of this one, appended). */
  async reload(routerId: string): Promise<PlacementEntry> {
    const base = this.entries.get(routerId) ?? { state: routerPlacementDecider.initialState(), version: 0, causePos: 0 };
    const events = await this.reader.readAfter(routerHaStream(routerId), base.version);
    return this.put(routerId, await this.fold(base, events));
  }

  /**
   * Events this scheduler appended, caused by the trigger at `causePos`. The command
   * read the stream afresh in its transaction: if another writer appended since it
   * was cached here, the stream is re-read instead.
   */
  async applyOwn(routerId: string, stored: readonly DomainEvent[], causePos: number): Promise<void> {
    const mine = stored.filter((e) => e.metadata.streamId === routerHaStream(routerId));
    const base = this.entries.get(routerId);
    if (mine.length === 0 || !base) return;
    if (mine[0].metadata.streamVersion !== base.version + 1) return void (await this.reload(routerId));
    const state = mine.reduce((s, e) => routerPlacementDecider.evolve(s, e), base.state);
    this.put(routerId, { state, version: mine[mine.length - 1].metadata.streamVersion, causePos: Math.max(base.causePos, causePos) });
  }

  /**
   * A `router-ha` event read on the tail; already-applied versions are skipped, a gap
   * reloads. Routers the scheduler does not track (gone, forgotten) are left alone.
   */
  async applyTailed(event: DomainEvent, tracked: (routerId: string) => boolean): Promise<void> {
    const { streamId, streamVersion } = event.metadata;
    if (!streamId.startsWith(PREFIX)) return;
    const routerId = streamId.slice(PREFIX.length);
    const entry = this.entries.get(routerId);
    if (!entry && !tracked(routerId)) return;
    if (entry && streamVersion <= entry.version) return;
    if (entry && streamVersion === entry.version + 1) this.put(routerId, await this.fold(entry, [event]));
    else await this.reload(routerId);
  }

  restore(routerId: string, entry: PlacementEntry): void {
    this.put(routerId, entry);
    this.dirty.delete(routerId);
  }

  /** Drops a gone router from memory (its stream stays the truth if it is ever needed again). */
  forget(routerId: string): void {
    const entry = this.entries.get(routerId);
    if (entry)
      this.index(
        routerId,
        bindingsOf(entry.state).map((b) => b.agentId),
        [],
      );
    this.entries.delete(routerId);
    this.dirty.add(routerId);
  }

  clear(): void {
    this.entries.clear();
    this.byAgent.clear();
    this.dirty.clear();
  }

  routersOn(agentId: string): string[] {
    return [...(this.byAgent.get(agentId) ?? [])];
  }

  load(agentId: string): number {
    return this.byAgent.get(agentId)?.size ?? 0;
  }

  all(): IterableIterator<[string, PlacementEntry]> {
    return this.entries.entries();
  }

  private async fold(base: PlacementEntry, events: readonly DomainEvent[]): Promise<PlacementEntry> {
    if (events.length === 0) return base;
    const state = events.reduce((s, e) => routerPlacementDecider.evolve(s, e), base.state);
    const causePos = Math.max(base.causePos, await this.reader.latestCause(events.filter((e) => DECISIONS.has(e.type))));
    return { state, version: events[events.length - 1].metadata.streamVersion, causePos };
  }

  private put(routerId: string, entry: PlacementEntry): PlacementEntry {
    const old = this.entries.get(routerId);
    this.index(
      routerId,
      old ? bindingsOf(old.state).map((b) => b.agentId) : [],
      bindingsOf(entry.state).map((b) => b.agentId),
    );
    this.entries.set(routerId, entry);
    this.dirty.add(routerId);
    return entry;
  }

  private index(routerId: string, before: string[], after: string[]): void {
    for (const a of before) if (!after.includes(a)) this.byAgent.get(a)?.delete(routerId);
    for (const a of after) {
      let set = this.byAgent.get(a);
      if (!set) this.byAgent.set(a, (set = new Set()));
      set.add(routerId);
    }
  }
}
