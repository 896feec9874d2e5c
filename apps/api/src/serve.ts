import { registerAgentMetrics } from './agents/agent-metrics';
import { loadSettings } from './config';
import { startDistributed } from './distributed';
import { startEmbedded, type Running } from './embedded/start-embedded';
import { embeddedExtras } from './embedded/embedded-ops';
import { ProcessOps, loadOpsConfig, redactSetting } from '@cp/runtime';

/**
 * The control plane's server (`npm start`, `controlplane serve`): embedded mode, the whole control plane in one process, data under
 * CP_DATA_DIR (./data). With CP_EVENT_STORE_URL (PostgreSQL) set: distributed
 * mode, this process is one API instance (README, "Operating distributed mode").
 */
export async function serve(): Promise<void> {
  const settings = loadSettings();
  const opsConfig = loadOpsConfig();
  const distributed = Boolean(settings.eventStoreUrl);
  const ops = new ProcessOps('api', opsConfig);
  ops.checkAuthFor(settings.host);
  let running: Running | null = null;
  ops.onShutdown(() => (running ? [{ name: 'api', run: () => running!.close() }] : []));

  running = distributed ? await startDistributed(settings, ops) : await startEmbedded(settings, embeddedExtras(ops, opsConfig.readyMaxLag));
  registerAgentMetrics(ops.registry, running.ws, settings.agentDownTimeSeconds);
  const address = `http://${settings.host}:${running.port}`;
  ops.lifecycle.info(
    { mode: distributed ? 'distributed' : 'embedded', port: running.port },
    distributed
      ? `control plane API listening on ${address} (distributed mode, event store ${redactSetting('CP_EVENT_STORE_URL', settings.eventStoreUrl!)})`
      : `control plane listening on ${address} (Neutron API ${address}/v2.0, docs ${address}/docs), data in ${settings.dataDir}`,
  );
}
