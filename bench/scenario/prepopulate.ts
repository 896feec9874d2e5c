import type { CommandContext } from '@cp/events';
import { eventStoreConfig, openWriteSide } from '@cp/write-model';
import type { Stamped } from './bodies';

/** An embedded data directory, or a PostgreSQL event store (distributed mode). */
export interface EventStoreTarget {
  dataDir: string;
  eventStoreUrl?: string;
  eventStoreSchema?: string;
}

/**
 * Appends generated events through the control plane's own write side (the
 * event store with the API's inline read model and unique indexes), while the
 * control plane is stopped: the cloud then looks to the API exactly as if the
 * events had come through it, at a fraction of the time HTTP would take.
 */
export async function prepopulate(target: string | EventStoreTarget, events: Iterable<Stamped>, batch = 1000): Promise<number> {
  const t = typeof target === 'string' ? { dataDir: target } : target;
  const ws = await openWriteSide(eventStoreConfig({ ...t, sqliteSynchronous: 'NORMAL' }));
  let n = 0;
  let pending: Stamped[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    // Consecutive events of one stream go in one append, as a command's would.
    const appends: Array<{ streamId: string; expectedVersion: 'any'; events: Stamped['body'][] }> = [];
    for (const e of pending) {
      const last = appends[appends.length - 1];
      if (last?.streamId === e.streamId) last.events.push(e.body);
      else appends.push({ streamId: e.streamId, expectedVersion: 'any', events: [e.body] });
    }
    const ctx: CommandContext = {
      projectId: 'bench',
      actor: 'bench-loader',
      requestId: `req-bench-load-${n}`,
      causationId: null,
      now: new Date().toISOString(),
      isAdmin: true,
    };
    await ws.store.transaction((tx) => ws.store.append(appends, ctx, tx));
    n += pending.length;
    pending = [];
  };
  for (const e of events) {
    pending.push(e);
    if (pending.length >= batch) await flush();
  }
  await flush();
  await ws.db.close();
  return n;
}
