import type { Settings } from './config';
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
  const app = await createHttpApp(ws, settings);
  await app.listen(settings.port, settings.host);
  const address = app.getHttpServer().address() as { port: number };
  return {
    port: address.port,
    ws,
    async close() {
      await app.close();
      await monitor.stop();
      await ws.db.close();
    },
  };
}
