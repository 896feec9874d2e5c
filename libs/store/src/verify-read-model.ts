import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint } from './checkpoints';
import type { Database } from './db';
import type { EventStore } from './event-store';
import type { Projection } from './projection';
import { replayInto } from './replay-into';
import { ALL_PARTITION, StoreProjector } from './store-projector';
import { combineParts } from './table-digest';

/** What `verifyReadModel` needs of a read model. */
export interface ReadModelSpec {
  /** The model's projection writing into `db`. */
  projection(db: Database): Projection;
  /** Per table, a hash of its rows (table-digest.ts). */
  parts(db: Database): Promise<Record<string, string>>;
  /** An empty SQLite database at `path` with the model's tables. */
  openScratch(path: string): Promise<Database>;
}

export interface VerifyResult {
  ok: boolean;
  position: number;
  live: string;
  rebuilt: string;
  /** Tables whose contents differ. */
  differences: string[];
  message?: string;
}

/**
 * Rebuilds a read model into a scratch SQLite file up to the live model's
 * checkpoint and compares digests, table by table. The live digest and its
 * checkpoint are read until they agree, so a projector running meanwhile is fine.
 */
export async function verifyReadModel(store: EventStore, live: Database, spec: ReadModelSpec): Promise<VerifyResult> {
  const projection = spec.projection(live);
  let position: number;
  let liveParts: Record<string, string> = {};
  for (;;) {
    const before = await readCheckpoint(live, projection.name, ALL_PARTITION);
    if (before && before.version !== projection.version) {
      const message = `live model is at version ${before.version}, this build writes ${projection.version}: run rebuild`;
      return { ok: false, position: before.position, live: '', rebuilt: '', differences: [], message };
    }
    liveParts = await spec.parts(live);
    const after = await readCheckpoint(live, projection.name, ALL_PARTITION);
    if ((before?.position ?? 0) === (after?.position ?? 0)) {
      position = after?.position ?? 0;
      break;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), `${projection.name}-verify-`));
  const scratch = await spec.openScratch(join(dir, `${projection.name}.sqlite`));
  try {
    await replayInto(store, scratch, spec.projection(scratch), position);
    const rebuiltParts = await spec.parts(scratch);
    const differences = Object.keys(liveParts).filter((t) => liveParts[t] !== rebuiltParts[t]);
    const [liveDigest, rebuilt] = [combineParts(liveParts), combineParts(rebuiltParts)];
    return { ok: liveDigest === rebuilt, position, live: liveDigest, rebuilt, differences };
  } finally {
    await scratch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Truncates the live model and replays it from position 0; with `fromCheckpoint`
 * (a model just restored from a snapshot) it replays only what follows the
 * model's checkpoint, or from 0 should the checkpoint be another version's.
 * Run it with the model's projector stopped.
 */
export async function rebuildReadModel(
  store: EventStore,
  projection: Projection,
  live: Database,
  options: { fromCheckpoint?: boolean } = {},
): Promise<number> {
  // Nobody watches a model being rebuilt: bigger batches refresh each changed network once per 5,000 events, not per 500.
  const projector = new StoreProjector(store, live, projection, { batchSize: 5_000 });
  if (options.fromCheckpoint) {
    await projector.start();
    await projector.stop();
  } else await projector.rebuild();
  return projector.checkpoint;
}
