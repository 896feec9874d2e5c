import { CATALOGUE, isEventType, type DomainEvent } from './catalogue';
import { eventMetadataSchema } from './envelope';
import { upcast } from './upcasters';

export class InvalidStoredEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStoredEventError';
  }
}

/**
 * Validates an event read back from any store or topic and upcasts it to the
 * latest shape. Every read path goes through here, so a corrupt or unknown event
 * stops the reader loudly instead of poisoning a read model quietly.
 */
export function readEvent(raw: { type: string; data: unknown; metadata: unknown }): DomainEvent {
  if (!isEventType(raw.type)) throw new InvalidStoredEventError(`unknown event type '${raw.type}'`);
  const def = CATALOGUE[raw.type];
  const meta = eventMetadataSchema.safeParse(raw.metadata);
  if (!meta.success) {
    throw new InvalidStoredEventError(`event ${raw.type}: bad metadata: ${meta.error.message}`);
  }
  if (meta.data.schemaVersion > def.schemaVersion) {
    throw new InvalidStoredEventError(
      `event ${raw.type} has schema version ${meta.data.schemaVersion}, newer than this build knows (${def.schemaVersion})`,
    );
  }
  const latestData = upcast(raw.type, meta.data.schemaVersion, def.schemaVersion, raw.data);
  const data = def.schema.safeParse(latestData);
  if (!data.success) {
    throw new InvalidStoredEventError(
      `event ${raw.type} at ${meta.data.streamId}@${meta.data.streamVersion}: bad data: ${data.error.message}`,
    );
  }
  return {
    type: raw.type,
    data: data.data,
    metadata: { ...meta.data, schemaVersion: def.schemaVersion },
  } as DomainEvent;
}
