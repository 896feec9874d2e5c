import 'reflect-metadata';
import { loadSettings } from '../../apps/api/src/config';
import { createHttpApp } from '../../apps/api/src/http-app';
import { eventStoreConfig, openWriteSide } from '@cp/write-model';

/**
 * The API's command side alone (write side + Neutron API, no projectors or
 * scheduler) over an embedded data directory. The `api` scenario measures it
 * beside the real embedded process to split each operation's server CPU into
 * what the command costs and what the in-process projectors add.
 */
async function main(): Promise<void> {
  const settings = loadSettings();
  const ws = await openWriteSide(eventStoreConfig(settings));
  const app = await createHttpApp(ws, settings);
  await app.listen(settings.port, settings.host);
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`API only (bench) listening on http://${settings.host}:${port}\n`);
  process.once('SIGINT', () => {
    void (async () => {
      await app.close();
      await ws.db.close();
      process.exit(0);
    })();
  });
}

main().catch((err) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
