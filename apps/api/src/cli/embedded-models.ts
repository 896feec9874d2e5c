import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirError, EventStore, EventTable, openDatabase, type Database, type VerifyResult } from '@cp/store';
import { embeddedPaths, openReadModel, rebuild as rebuildL2, verify as verifyL2 } from '../../../l2pop-projector/src';
import { embeddedL3Path, openL3ReadModel, rebuildL3, verifyL3 } from '../../../l3-scheduler/src';
import { embeddedDhcpPath, openDhcpReadModel, rebuildDhcp, verifyDhcp } from '../../../dhcp-projector/src';

export const MODEL_NAMES = ['l2', 'l3', 'dhcp'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** One read model of an embedded data directory, as the maintenance commands use it. */
export interface EmbeddedModel {
  name: ModelName;
  open(dataDir: string): Promise<Database>;
  verify(store: EventStore, db: Database): Promise<VerifyResult>;
  rebuild(store: EventStore, db: Database): Promise<number>;
}

const sqlite = (path: string) => ({ kind: 'sqlite' as const, path });

/** The embedded layout (design.md §3.4): each model in its file beside events.sqlite. */
export const EMBEDDED_MODELS: readonly EmbeddedModel[] = [
  { name: 'l2', open: (d) => openReadModel(sqlite(embeddedPaths(d).readModel)), verify: verifyL2, rebuild: rebuildL2 },
  { name: 'l3', open: (d) => openL3ReadModel(sqlite(embeddedL3Path(d))), verify: verifyL3, rebuild: rebuildL3 },
  { name: 'dhcp', open: (d) => openDhcpReadModel(sqlite(embeddedDhcpPath(d))), verify: verifyDhcp, rebuild: rebuildDhcp },
];

export function modelsNamed(which: string): EmbeddedModel[] {
  if (which === 'all') return [...EMBEDDED_MODELS];
  const model = EMBEDDED_MODELS.find((m) => m.name === which);
  if (!model) throw new UsageError(`unknown read model '${which}': one of ${MODEL_NAMES.join(', ')} or all`);
  return [model];
}

export function eventsPath(dataDir: string): string {
  return join(dataDir, 'events.sqlite');
}

/** The event store of a data directory, for reading (verify runs beside a live server). */
export async function openEventsForReading(dataDir: string): Promise<{ store: EventStore; close(): Promise<void> }> {
  requireEventStore(dataDir);
  const db = await openDatabase(sqlite(eventsPath(dataDir)), [EventTable]);
  return { store: new EventStore(db), close: () => db.close() };
}

/** Never create an event store: a mistyped directory is an error, not an empty store that verifies. */
export function requireEventStore(dataDir: string): void {
  if (!existsSync(eventsPath(dataDir))) throw new DataDirError(`no event store in ${dataDir} (expected ${eventsPath(dataDir)})`);
}

/** A mistake in the command line: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
