import type { DynamicModule, INestApplication, LoggerService } from '@nestjs/common';
import type { Settings } from '../config';
import { join } from 'node:path';
import { L2popModule, openReadModel } from '../../../l2pop-projector/src';
import { embeddedL3Path, l3ConfigFromEnv, L3SchedulerModule, openL3ReadModel, type L3Config } from '../../../l3-scheduler/src';
import { DhcpProjectorModule, dhcpConfigFromEnv, embeddedDhcpPath, openDhcpReadModel, type DhcpConfig } from '../../../dhcp-projector/src';
import { startAgentLivenessMonitor } from '../agents/liveness-monitor';
import { createHttpApp } from '../http-app';
import { eventStoreConfig, openWriteSide, type WriteSide } from '@cp/write-model';
import { lockDataDir } from '@cp/store';
import type { Authentication } from '@cp/auth';

export interface Running {
  port: number;
  ws: WriteSide;
  app: INestApplication;
  close(): Promise<void>;
}

/** What main adds for operations (@cp/runtime): /healthz, /readyz, /metrics, request logs; tests leave it out. */
export interface AppExtras {
  modules: DynamicModule[];
  logger?: LoggerService;
  /** Who may call; noauth when not given. */
  auth?: Authentication;
  /** Called on the created app before it listens. */
  attach(app: INestApplication): void;
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
  const l2db = await openReadModel({ kind: 'sqlite', path: join(settings.dataDir, 'l2pop.sqlite') });
  const l3db = await openL3ReadModel({ kind: 'sqlite', path: embeddedL3Path(settings.dataDir) });
  const dhcpDb = await openDhcpReadModel({ kind: 'sqlite', path: embeddedDhcpPath(settings.dataDir) });
  const app = await createHttpApp(
    ws,
    settings,
    [
      L2popModule.forRoot({ db: l2db, store: ws.store }),
      L3SchedulerModule.forRoot({ db: l3db, writeSide: ws, config: configs.l3 }),
      DhcpProjectorModule.forRoot({ db: dhcpDb, store: ws.store, config: configs.dhcp }),
      ...(extras?.modules ?? []),
    ],
    extras?.logger,
    extras?.auth,
  );
  extras?.attach(app);
  await app.listen(settings.port, settings.host);
  const address = app.getHttpServer().address() as { port: number };
  return {
    port: address.port,
    ws,
    app,
    async close() {
      await app.close();
      await monitor.stop();
      await l2db.close();
      await l3db.close();
      await dhcpDb.close();
      await ws.db.close();
      unlock();
    },
  };
}
