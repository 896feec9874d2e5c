import type { Settings } from './config';
import { join } from 'node:path';
import { L2popModule, openReadModel } from '../../l2pop-projector/src';
import { startAgentLivenessMonitor } from './agents/liveness-monitor';
import { createHttpApp } from './http-app';
import { eventStoreConfig, openWriteSide, type WriteSide } from './write-side';

export interface Running {
  port: number;
  ws: WriteSide;
  close(): Promise<void>;
}

/**
 * Embedded mode: API, projectors and scheduler in one process over the SQLite
 * event store; their read models live in SQLite files beside it.
 */
export async function startEmbedded(settings: Settings): Promise<Running> {
  const ws = await openWriteSide(eventStoreConfig(settings));
  const monitor = startAgentLivenessMonitor(ws, settings);
  const l2db = await openReadModel({ kind: 'sqlite', path: join(settings.dataDir, 'l2pop.sqlite') });
  const app = await createHttpApp(ws, settings, [L2popModule.forRoot({ db: l2db, store: ws.store })]);
  await app.listen(settings.port, settings.host);
  const address = app.getHttpServer().address() as { port: number };
  return {
    port: address.port,
    ws,
    async close() {
      await app.close();
      await monitor.stop();
      await l2db.close();
      await ws.db.close();
    },
  };
}
