// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any decider: the cache only keeps what it folded
type AnyDecider = { evolve(state: any, event: any): any };

export interface CachedStream {
  decider: AnyDecider;
  state: unknown;
  /** The stream version `state` was folded up to, and the id of the event stored there. */
  version: number;
  eventId: string;
}

/**
 * Aggregate states folded from committed events, kept between commands so a
 * load parses only the events appended since (shared streams such as a
 * network, its subnets and the project's default group are loaded by every
 * port create). An entry is only a starting point: the load still reads the
 * stream from the cached version inside the command's transaction and checks
 * that the event stored there is the one folded, so another process's appends
 * are seen and a stale entry is never decided on. States are never mutated
 * (evolve is pure), so commands share them safely.
 */
export class StreamCache {
  private readonly entries = new Map<string, CachedStream>();

  constructor(private readonly capacity = 20_000) {}

  get(streamId: string, decider: AnyDecider): CachedStream | undefined {
    const hit = this.entries.get(streamId);
    if (!hit || hit.decider !== decider) return undefined;
    // Least recently used goes first: re-insert to mark it used.
    this.entries.delete(streamId);
    this.entries.set(streamId, hit);
    return hit;
  }

  set(streamId: string, entry: CachedStream): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
