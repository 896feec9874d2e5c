import { z } from 'zod';

/**
 * The envelope every stored event carries. `position` is the global order in the
 * event store (absent until stored); `streamVersion` orders events of one stream
 * and is what optimistic concurrency checks.
 */
export const eventMetadataSchema = z.object({
  eventId: z.string().uuid(),
  schemaVersion: z.number().int().positive(),
  streamId: z.string().min(1),
  streamVersion: z.number().int().positive(),
  position: z.number().int().positive().optional(),
  projectId: z.string(),
  actor: z.string(),
  requestId: z.string(),
  causationId: z.string().nullable(),
  occurredAt: z.string().datetime({ offset: true }),
});
export type EventMetadata = z.infer<typeof eventMetadataSchema>;

/** Who and what caused a command: made at the edge, copied onto every event it produces. */
export interface CommandContext {
  projectId: string;
  actor: string;
  requestId: string;
  causationId: string | null;
  /** ISO time the edge took from the clock; deciders never read the clock themselves. */
  now: string;
  isAdmin: boolean;
}
