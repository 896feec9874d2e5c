import { feedMetrics, KafkaReadModel, ProcessOps, loadOpsConfig, loadProjectorSettings, retrying } from '@cp/runtime';
import { dhcpConfigFromEnv } from './config';
import { DhcpProjectorModule } from './http/dhcp-projector.module';
import { DhcpRuntime, openDhcpReadModel } from './runtime';

/**
 * The DHCP read-model server in distributed mode: one instance of its own
 * consumer group (`controlplane.dhcp`) projecting the event topic into the
 * PostgreSQL read model every instance shares, and serving
 * `/v1/hosts/{host}/dhcp[/watch]` from it, so any instance answers any DHCP
 * agent. Watchers are woken by every instance's commits (PostgreSQL NOTIFY) and
 * poll as a backstop. Embedded mode runs the model inside the API (`npm start`).
 */
export async function serveDhcpProcess(): Promise<void> {
  const opsConfig = loadOpsConfig();
  const settings = loadProjectorSettings('dhcp', 9699);
  if (!settings.kafka || !settings.readModelUrl) {
    throw new Error(
      'the dhcp-projector process runs in distributed mode only: set CP_KAFKA_BROKERS and CP_READ_MODEL_URL (embedded mode runs it inside the API)',
    );
  }
  const ops = new ProcessOps('dhcp-projector', opsConfig);
  const steps: Array<{ name: string; run(): Promise<unknown> }> = [];
  ops.onShutdown(() => steps);

  const config = dhcpConfigFromEnv();
  const readModel = { kind: 'postgres' as const, url: settings.readModelUrl, schema: settings.readModelSchema };
  const db = await retrying(() => openDhcpReadModel(readModel), { what: 'the read model', log: ops.child('startup') });
  const app = await ops.createApp([DhcpProjectorModule.forRoot({ db, config, pollMs: settings.watchPollMs })]);
  const runtime = app.get(DhcpRuntime);
  const watch = settings.watchNotify ? { hub: runtime.feed.hub, url: settings.readModelUrl, schema: settings.readModelSchema } : null;
  feedMetrics(ops.registry, { dhcp: runtime.feed });
  const model = new KafkaReadModel(ops, db, runtime.projection, settings.kafka, opsConfig.readyMaxLag, watch);
  // Order on SIGTERM: stop serving (ends watch streams), leave the group, close the database.
  steps.push(
    { name: 'http', run: () => app.close() },
    { name: 'projector', run: () => model.stop() },
    { name: 'read model', run: () => db.close() },
  );
  ops.checkAuthFor(settings.host);
  await app.listen(settings.port, settings.host);
  model.start();
  const port = (app.getHttpServer().address() as { port: number }).port;
  ops.lifecycle.info(
    { port },
    `dhcp-projector listening on ${await app.getUrl()} (schema ${settings.readModelSchema}, topic ${settings.kafka.topic}, group ${settings.kafka.groupId})`,
  );
}
