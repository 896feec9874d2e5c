import type { DynamicModule, LoggerService } from '@nestjs/common';
import type { Settings } from '../config';
import { L2popModule } from '../../../l2pop-projector/src';
import { l3ConfigFromEnv, L3SchedulerModule, type L3Config } from '../../../l3-scheduler/src';
import { DhcpProjectorModule, dhcpConfigFromEnv, type DhcpConfig } from '../../../dhcp-projector/src';
import { embeddedModel, openSeeded, type EmbeddedModel } from './embedded-models';
import { scheduleSnapshots } from './snapshot-schedule';
import { EmbeddedModelHistory } from './model-history';
import { startAgentLivenessMonitor } from '../agents/liveness-monitor';
import { createHttpApp } from '../http-app';
import { eventStoreConfig, openWriteSide, type WriteSide } from '@cp/write-model';
import { lockDataDir } from '@cp/store';
import type { Authentication } from '@cp/auth';
import type { HttpApp } from '@cp/runtime';

export interface Running {
  port: number;
  ws: WriteSide;
  app: HttpApp;
  close(): Promise<void>;
}

/** What main adds for operations (@cp/runtime): /healthz, /readyz, /metrics, request logs; tests leave it out. */
export interface AppExtras {
  modules: DynamicModule[];
  logger?: LoggerService;
  /** Who may call; noauth when not given. */
  auth?: Authentication;
  /** Called on the created app before it listens. */
  attach(app: HttpApp): void;
}

/**
 * Embedded mode (`npm start`): the API, the L2 projector, the L3 scheduler and
 * the DHCP projector in one process over the SQLite event store; their read models live in SQLite
 * files beside it. This folder is the composition root: the only code that puts
 * the apps together (the dependency rules in .dependency-cruiser.js allow
 * it and nothing else), taking each by its public entry.
 */
export async function startEmbedded(settings: Settings, extras?: AppExtras): Promise<Running> {
  // The embedded scheduler's and DHCP projector's own settings, checked before anything is touched.
  const configs = { l3: l3ConfigFromEnv(), dhcp: dhcpConfigFromEnv() };
  // First, before any file is opened: this directory is this process's alone, or it stops here.
  const lock = lockDataDir(settings.dataDir);
  try {
    return await startOn(settings, configs, extras, () => lock.release());
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startOn(
  settings: Settings,
  configs: { l3: L3Config; dhcp: DhcpConfig },
  extras: AppExtras | undefined,
  unlock: () => void,
): Promise<Running> {
  const ws = await openWriteSide(eventStoreConfig(settings));
  const monitor = startAgentLivenessMonitor(ws, settings);
  // A model that has applied nothing (new, or its file lost) starts from its newest snapshot.
  const seeded = (model: EmbeddedModel) =>
    openSeeded(settings.dataDir, model, (s) => {
      extras?.logger?.log(`${model.name} read model starts from its snapshot at position ${s.position}`, 'snapshots');
    });
  const [l2, l3, dhcp] = (['l2', 'l3', 'dhcp'] as const).map(embeddedModel);
  const l2db = await seeded(l2);
  const l3db = await seeded(l3);
  const dhcpDb = await seeded(dhcp);
  // Time travel (?at=, /diff): each model's snapshots plus the log.
  const built = (b: { model: string; position: number; from: number; ms: number }): void => {
    const from = b.from ? `its snapshot at ${b.from}` : 'position 0';
    extras?.logger?.log(`${b.model} read model at position ${b.position}: replayed from ${from} in ${b.ms} ms`, 'history');
  };
  const history = {
    l2: new EmbeddedModelHistory(settings.dataDir, ws.store, l2, l2db, built),
    l3: new EmbeddedModelHistory(settings.dataDir, ws.store, l3, l3db, built),
    dhcp: new EmbeddedModelHistory(settings.dataDir, ws.store, dhcp, dhcpDb, built),
  };
  const app = await createHttpApp(
    ws,
    settings,
    [
      L2popModule.forRoot({ db: l2db, store: ws.store, history: history.l2, hotRows: settings.l2HotRows }),
      L3SchedulerModule.forRoot({ db: l3db, writeSide: ws, config: configs.l3, history: history.l3 }),
      DhcpProjectorModule.forRoot({ db: dhcpDb, store: ws.store, config: configs.dhcp, history: history.dhcp }),
      ...(extras?.modules ?? []),
    ],
    extras?.logger,
    extras?.auth,
  );
  extras?.attach(app);
  await app.listen(settings.port, settings.host);
  const models = [
    { model: l2, db: l2db },
    { model: l3, db: l3db },
    { model: dhcp, db: dhcpDb },
  ];
  const snapshots = scheduleSnapshots(settings.dataDir, models, settings.snapshotEvery, settings.snapshotKeep, extras?.logger);
  const address = app.getHttpServer().address() as { port: number };
  return {
    port: address.port,
    ws,
    app,
    async close() {
      await app.close();
      await snapshots.stop();
      for (const h of Object.values(history)) h.close();
      await monitor.stop();
      await l2db.close();
      await l3db.close();
      await dhcpDb.close();
      await ws.db.close();
      unlock();
    },
  };
}
