import { z } from 'zod';
import type { EventMetadata } from './envelope';

/**
 * An event definition: its type name, the schema version new events are written
 * with, and the runtime schema of its data. Events stay plain data (no classes)
 * so they survive JSON, SQLite, PostgreSQL and Kafka round trips unchanged.
 */
export interface EventDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  readonly type: T;
  readonly schemaVersion: number;
  readonly schema: S;
}

export function defineEvent<T extends string, S extends z.ZodType>(type: T, schema: S, schemaVersion = 1): EventDefinition<T, S> {
  return { type, schema, schemaVersion };
}

/** What a decider emits: the fact, without the envelope the edge adds. */
export type EventBody<D> = D extends EventDefinition<infer T, infer S> ? { type: T; data: z.infer<S> } : never;

/** A stored (or about to be stored) event: body plus envelope. */
export type EventOf<D> = D extends EventDefinition ? EventBody<D> & { metadata: EventMetadata } : never;
