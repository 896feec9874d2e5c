import { hostname } from 'node:os';
import { z } from 'zod';
import {
  feedMetrics,
  KafkaReadModel,
  storeProjectorMetrics,
  ProcessOps,
  envBool,
  loadOpsConfig,
  parseEnv,
  pgSchemaName,
  loadProjectorSettings,
  retrying,
} from '@cp/runtime';
import { eventStoreConfig, openWriteSide } from '@cp/write-model';
import { l3ConfigFromEnv } from './config';
import { L3SchedulerModule } from './http/l3-scheduler.module';
import { registerL3Metrics } from './read-model/l3-metrics';
import { L3Runtime, openL3ReadModel } from './runtime';

const schema = z.object({
  CP_EVENT_STORE_URL: z.string().min(1),
  CP_EVENT_STORE_SCHEMA: pgSchemaName.optional(),
  CP_L3_SCHEDULER: envBool.default(true),
  // Saved state is incremental per name: two live instances must never share one.
  CP_L3_SCHEDULER_NAME: z.string().min(1).max(64).default(`l3-scheduler@${hostname()}`.slice(0, 64)),
  CP_L3_SCHEDULER_POLL_MS: z.coerce.number().int().positive().default(1_000),
});

/**
 * The L3 process in distributed mode: the HA scheduler (a process manager
 * tailing the PostgreSQL event store; its decisions are commands on the write
 * side, read and appended in one serialised transaction, so several instances
 * never decide twice) and the L3
 * read model, fed from the event topic by a KafkaProjector in a consumer group
 * into the shared PostgreSQL read model. Serves `/v1/hosts/{host}/l3[/watch]`,
 * HA state reports and Neutron's L3 agent views. Embedded mode runs all of this
 * inside the API process instead (`npm start`).
 */
export async function serveL3Process(): Promise<void> {
  const opsConfig = loadOpsConfig();
  const settings = loadProjectorSettings('l3', 9698);
  if (!settings.kafka || !settings.readModelUrl || !process.env.CP_EVENT_STORE_URL) {
    throw new Error(
      'the l3-scheduler process runs in distributed mode only: set CP_EVENT_STORE_URL, CP_KAFKA_BROKERS and CP_READ_MODEL_URL (embedded mode runs it inside the API)',
    );
  }
  const own = parseEnv(schema, process.env);
  const ops = new ProcessOps('l3-scheduler', opsConfig);
  const steps: Array<{ name: string; run(): Promise<unknown> }> = [];
  ops.onShutdown(() => steps);

  const log = ops.child('startup');
  // The write side, not just the store: decisions are commands, through the deciders and the inline indexes (VNIs, IPs, MACs, resources).
  const ws = await retrying(
    () =>
      openWriteSide(eventStoreConfig({ dataDir: '', eventStoreUrl: own.CP_EVENT_STORE_URL, eventStoreSchema: own.CP_EVENT_STORE_SCHEMA })),
    { what: 'the event store', log },
  );
  const readModel = { kind: 'postgres' as const, url: settings.readModelUrl, schema: settings.readModelSchema };
  const db = await retrying(() => openL3ReadModel(readModel), { what: 'the read model', log });
  const schedulerLog = ops.child('scheduler');
  const l3 = L3SchedulerModule.forRoot({
    db,
    writeSide: ws,
    config: l3ConfigFromEnv(),
    project: false,
    scheduler: own.CP_L3_SCHEDULER ? { name: own.CP_L3_SCHEDULER_NAME, pollMs: own.CP_L3_SCHEDULER_POLL_MS } : false,
    pollMs: settings.watchPollMs,
    onError: (err) => schedulerLog.error({ err }, 'scheduling failed; retrying'),
  });

  const app = await ops.createApp([l3]);
  const runtime = app.get(L3Runtime);
  const watch = settings.watchNotify ? { hub: runtime.feed.hub, url: settings.readModelUrl, schema: settings.readModelSchema } : null;
  const model = new KafkaReadModel(ops, db, runtime.projection, settings.kafka, opsConfig.readyMaxLag, watch);
  const head = () => ws.store.headPosition();
  registerL3Metrics(ops.registry, db);
  feedMetrics(ops.registry, { l3: runtime.feed });
  ops.readiness.add({ name: 'event-store', critical: true, run: async () => ({ ok: true, detail: { head: await head() } }) });
  const scheduler = runtime.scheduler;
  if (scheduler) {
    storeProjectorMetrics(ops.registry, scheduler, scheduler.name, head, ws.store);
    ops.readiness.add({
      name: `scheduler:${scheduler.name}`,
      critical: true,
      run: async () => {
        const lag = Math.max(0, (await head()) - scheduler.checkpoint);
        return { ok: lag <= opsConfig.readyMaxLag, detail: { position: scheduler.checkpoint, lag } };
      },
    });
  }
  // SIGTERM: stop serving and scheduling (Nest's shutdown hooks stop the runtime), leave the group, close databases.
  steps.push(
    { name: 'http and scheduler', run: () => app.close() },
    { name: 'projector', run: () => model.stop() },
    { name: 'read model', run: () => db.close() },
    { name: 'event store', run: () => ws.db.close() },
  );
  ops.checkAuthFor(settings.host);
  await app.listen(settings.port, settings.host);
  model.start();
  const port = (app.getHttpServer().address() as { port: number }).port;
  ops.lifecycle.info(
    { port, scheduler: scheduler?.name ?? null },
    `l3-scheduler listening on ${await app.getUrl()} (schema ${settings.readModelSchema}, topic ${settings.kafka.topic}, group ${settings.kafka.groupId}, scheduler ${scheduler ? scheduler.name : 'off'})`,
  );
}
