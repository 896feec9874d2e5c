import type { DomainEvent, EventType } from '@cp/events';
import type { Tx } from '@cp/store';
import type { Body, ResourceStore } from './resource-store';

/** Read/write access a mapper gets to the resources read model within one transaction. */
export interface ResourceOps {
  get(kind: string, id: string): Promise<Body | null>;
  put(kind: string, id: string, projectId: string, parentId: string | null, body: Body): Promise<void>;
  remove(kind: string, id: string): Promise<void>;
}

/**
 * How one resource kind's Neutron JSON follows from events. Each API slice owns
 * its mapper; the inline projection below only dispatches.
 */
export interface ResourceMapper {
  readonly handles: readonly EventType[];
  apply(event: DomainEvent, ops: ResourceOps): Promise<void>;
}

export function opsFor(store: ResourceStore, tx: Tx): ResourceOps {
  return {
    get: (kind, id) => store.get(kind, id, tx),
    put: (kind, id, projectId, parentId, body) => store.put(kind, id, projectId, parentId, body, tx),
    remove: (kind, id) => store.remove(kind, id, tx),
  };
}

/**
 * Neutron's timestamps and revision number (1 when created, +1 on every change), taken from the event
 * itself so a rebuild is identical.
 */
export function stamp(body: Body, event: DomainEvent, created: boolean): Body {
  const at = event.metadata.occurredAt.replace(/\.\d+Z$/, 'Z');
  return {
    ...body,
    created_at: created ? at : body.created_at,
    updated_at: at,
    revision_number: created ? 1 : Number(body.revision_number ?? 0) + 1,
  };
}
