import 'reflect-metadata';
import { loadSettings } from './config';
import { startEmbedded } from './embedded';

/** `npm start`: the whole control plane in one process, data under CP_DATA_DIR (./data). */
async function main() {
  const settings = loadSettings();
  const running = await startEmbedded(settings);
  const address = `http://${settings.host}:${running.port}`;
  process.stdout.write(
    `control plane listening on ${address} (Neutron API ${address}/v2.0, docs ${address}/docs), data in ${settings.dataDir}\n`,
  );
  const stop = async (signal: string) => {
    process.stdout.write(`${signal}: shutting down\n`);
    await running.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
