import type { DomainEvent } from '@cp/events';

/** One event in an explanation: where it is in the log, who caused it, and what it did here. */
export interface Cause {
  position: number;
  occurred_at: string;
  type: string;
  actor: string;
  request_id: string;
  /** `<resource type> <id>` the event is about. */
  resource: string;
  /** What this event contributed, in words. */
  why: string;
}

/** What `GET …/explain` answers: whether the entry is in the host's document, the events that put it there, or why it is not. */
export interface Explanation {
  host: string;
  entry: Record<string, string>;
  present: boolean;
  because: Cause[];
  /** For an absent entry: the first condition of design.md §4 it fails. */
  absent_because?: string;
}

/** What provenance reads of the event log (EventStore has both). */
export interface EventLookup {
  /** The events about some resources of one type, in log order. */
  readResources(resourceType: string, ids: readonly string[]): Promise<DomainEvent[]>;
  /** The resources some event of these types gave a data field this value. */
  findResourceIds(types: readonly string[], field: string, value: string): Promise<string[]>;
}

/**
 * Collects causes: for each resource, the latest event of each kind asked for
 * (the one that set the fact as it stands), described in words; an
 * explanation lists them in log order.
 */
export class Causes {
  private readonly found = new Map<number, Cause>();

  constructor(private readonly events: EventLookup) {}

  /**
   * @param kinds event type -> what it contributed (or null to skip an event
   *   of that type that changed nothing relevant); the latest kept per type.
   */
  async add(resourceType: string, id: string, kinds: Record<string, (e: DomainEvent) => string | null>): Promise<DomainEvent[]> {
    const events = await this.events.readResources(resourceType, [id]);
    const latest = new Map<string, { event: DomainEvent; why: string }>();
    for (const e of events) {
      const describe = kinds[e.type];
      const why = describe?.(e);
      if (why) latest.set(e.type, { event: e, why });
    }
    for (const { event, why } of latest.values()) this.include(event, resourceType, id, why);
    return events;
  }

  /** One particular event (chosen by the caller among those `add` returned). */
  include(event: DomainEvent, resourceType: string, id: string, why: string): void {
    const m = event.metadata;
    this.found.set(m.position ?? 0, {
      position: m.position ?? 0,
      occurred_at: m.occurredAt,
      type: event.type,
      actor: m.actor,
      request_id: m.requestId,
      resource: `${resourceType} ${id}`,
      why,
    });
  }

  list(): Cause[] {
    return [...this.found.values()].sort((a, b) => a.position - b.position);
  }
}
