import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import type { Database } from '@cp/store';
import { feedMetrics, KafkaReadModel, ProcessOps, loadOpsConfig, loadProjectorSettings, retrying } from '@cp/runtime';
import { L2popModule } from './http/l2pop.module';
import { registerL2Metrics } from './l2-metrics';
import { openEmbedded, openReadModel, L2popRuntime, type L2popOptions } from './runtime';

/**
 * The L2 read-model server.
 *
 * Distributed mode (CP_KAFKA_BROKERS and CP_READ_MODEL_URL set): one instance of
 * a consumer group projecting the event topic into the PostgreSQL read model that
 * every instance shares, and serving `/v1/hosts/{host}/l2[/watch]` from it, so
 * any instance answers any agent. Watchers are woken by every instance's commits
 * (PostgreSQL NOTIFY between instances) and poll as a backstop (CP_WATCH_POLL_MS).
 *
 * Otherwise, standalone over the embedded data directory: tails
 * <CP_DATA_DIR>/events.sqlite into <CP_DATA_DIR>/l2pop.sqlite (never beside an
 * API that embeds the module on the same directory: one projector per model).
 */
export async function serveL2popProcess(): Promise<void> {
  const opsConfig = loadOpsConfig();
  const settings = loadProjectorSettings('l2pop', Number(process.env.L2POP_PORT ?? 9697));
  const ops = new ProcessOps('l2pop-projector', opsConfig);
  const steps: Array<{ name: string; run(): Promise<unknown> }> = [];
  ops.onShutdown(() => steps);

  let app: INestApplication<Server>;
  let served: string;
  if (settings.kafka && settings.readModelUrl) {
    const config = { kind: 'postgres' as const, url: settings.readModelUrl, schema: settings.readModelSchema };
    const db = await retrying(() => openReadModel(config), { what: 'the read model', log: ops.child('startup') });
    app = await createApp(ops, { db, pollMs: settings.watchPollMs, hotRows: settings.l2HotRows });
    const runtime = app.get(L2popRuntime);
    feedMetrics(ops.registry, { l2: runtime.feed });
    registerL2Metrics(ops.registry, runtime.projection.hot);
    const watch = settings.watchNotify ? { hub: runtime.feed.hub, url: settings.readModelUrl, schema: settings.readModelSchema } : null;
    const model = new KafkaReadModel(ops, db, runtime.projection, settings.kafka, opsConfig.readyMaxLag, watch);
    // Order on SIGTERM: stop serving (ends watch streams), leave the group, close the database.
    steps.push({ name: 'http', run: () => app.close() }, { name: 'projector', run: () => model.stop() }, closing(db));
    ops.checkAuthFor(settings.host);
    await app.listen(settings.port, settings.host);
    model.start();
    served = `schema ${settings.readModelSchema}, topic ${settings.kafka.topic}, group ${settings.kafka.groupId}`;
  } else if (settings.kafka || settings.readModelUrl) {
    throw new Error('distributed mode needs both CP_KAFKA_BROKERS and CP_READ_MODEL_URL');
  } else {
    const dataDir = process.env.CP_DATA_DIR ?? process.env.DATA_DIR ?? './data';
    const stores = await openEmbedded(dataDir);
    app = await createApp(ops, { db: stores.db, store: stores.store, projectorPollMs: 250, hotRows: settings.l2HotRows });
    const runtime = app.get(L2popRuntime);
    registerL2Metrics(ops.registry, runtime.projection.hot);
    ops.readiness.add({
      name: 'projector:l2pop',
      critical: true,
      run: async () => {
        const lag = (await stores.store.headPosition()) - (runtime.projector?.checkpoint ?? 0);
        return { ok: lag <= opsConfig.readyMaxLag, detail: { lag } };
      },
    });
    steps.push({ name: 'http', run: () => app.close() }, { name: 'databases', run: () => stores.close() });
    const host = process.env.L2POP_HOST ?? settings.host;
    ops.checkAuthFor(host);
    await app.listen(settings.port, host);
    served = `data directory ${dataDir}`;
  }
  const port = (app.getHttpServer().address() as { port: number }).port;
  ops.lifecycle.info({ port }, `l2pop-projector listening on ${await app.getUrl()} (${served})`);
}

function createApp(ops: ProcessOps, options: L2popOptions): Promise<INestApplication<Server>> {
  return ops.createApp([L2popModule.forRoot(options)]);
}

function closing(db: Database) {
  return { name: 'database', run: () => db.close() };
}
