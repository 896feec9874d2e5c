import type { DomainEvent } from '@cp/events';
import type { InlineProjection, Tx } from '@cp/store';
import { opsFor, type ResourceMapper } from './resource-mapper';
import type { ResourceStore } from './resource-store';

/** Keeps the `resources` read model in step with every append, in its transaction. */
export class ResourcesProjection implements InlineProjection {
  readonly name = 'resources';
  private readonly byType = new Map<string, ResourceMapper[]>();

  constructor(
    private readonly store: ResourceStore,
    mappers: ResourceMapper[],
  ) {
    for (const m of mappers) {
      for (const t of m.handles) this.byType.set(t, [...(this.byType.get(t) ?? []), m]);
    }
  }

  async apply(tx: Tx, event: DomainEvent): Promise<void> {
    const mappers = this.byType.get(event.type);
    if (!mappers) return;
    const ops = opsFor(this.store, tx);
    for (const m of mappers) await m.apply(event, ops);
  }
}
