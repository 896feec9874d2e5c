import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_PARTITION, readCheckpoint, StoreProjector, type Database, type EventStore } from '@cp/store';
import { combineParts, digestParts } from '../projection/digest';
import { L2popProjection } from '../projection/l2pop.projection';
import { openReadModel } from '../runtime';
import { replayInto } from './replay';

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
 * Rebuilds the read model into a scratch SQLite file up to the live model's
 * checkpoint and compares digests, table by table. The live digest and its
 * checkpoint are read until they agree, so a projector running meanwhile is fine.
 */
export async function verify(store: EventStore, live: Database): Promise<VerifyResult> {
  const projection = new L2popProjection(live);
  let position: number;
  let liveParts: Record<string, string> = {};
  for (;;) {
    const before = await readCheckpoint(live, projection.name, ALL_PARTITION);
    if (before && before.version !== projection.version) {
      const message = `live model is at version ${before.version}, this build writes ${projection.version}: run rebuild`;
      return { ok: false, position: before.position, live: '', rebuilt: '', differences: [], message };
    }
    liveParts = await digestParts(live);
    const after = await readCheckpoint(live, projection.name, ALL_PARTITION);
    if ((before?.position ?? 0) === (after?.position ?? 0)) {
      position = after?.position ?? 0;
      break;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'l2pop-verify-'));
  const scratch = await openReadModel({ kind: 'sqlite', path: join(dir, 'l2pop.sqlite'), synchronous: 'NORMAL' });
  try {
    await replayInto(store, scratch, new L2popProjection(scratch), position);
    const rebuiltParts = await digestParts(scratch);
    const differences = Object.keys(liveParts).filter((t) => liveParts[t] !== rebuiltParts[t]);
    const [liveDigest, rebuilt] = [combineParts(liveParts), combineParts(rebuiltParts)];
    return { ok: liveDigest === rebuilt, position, live: liveDigest, rebuilt, differences };
  } finally {
    await scratch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Truncates the live model and replays from position 0. Run it with the server stopped. */
export async function rebuild(store: EventStore, live: Database): Promise<number> {
  const projector = new StoreProjector(store, live, new L2popProjection(live));
  await projector.rebuild();
  return projector.checkpoint;
}
