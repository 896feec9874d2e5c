import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '@cp/store';
import { removeDir, spawnControlPlane, waitIdle, type ControlPlane } from '../lib/control-plane';
import { Http } from '../lib/http';
import { ROOT } from '../lib/machine';
import type { Stamped } from '../scenario/bodies';
import { prepopulate } from '../scenario/prepopulate';

const run = promisify(execFile);
export const PG_URL = process.env.CP_BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** Where the API and the agents' watch streams are, for one measured control plane. */
export interface Topology {
  api: string;
  watch: string;
  /** The process serving the watch streams (its CPU while agents just watch is reported). */
  watchPid: number;
  /** Waits until every process is idle (projectors caught up). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

async function servesL2(base: string): Promise<boolean> {
  const probe = new Http(base, 1);
  try {
    return (await probe.call('GET', '/v1/hosts/probe/l2')).status === 200;
  } finally {
    probe.close();
  }
}

/** Embedded mode: one process over a fresh data directory holding `events`. */
export async function embedded(events: Iterable<Stamped>): Promise<Topology> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cp-bench-prop-'));
  await prepopulate(dataDir, events);
  const cp = await spawnControlPlane({ dataDir, env: { CP_SQLITE_SYNCHRONOUS: 'FULL' } });
  const stop = async () => {
    await cp.stop();
    removeDir(dataDir);
  };
  if (!(await servesL2(cp.url))) {
    await stop();
    throw new Error('the control plane does not serve /v1/hosts/{host}/l2: embedded mode must include L2popModule');
  }
  return { api: cp.url, watch: cp.url, watchPid: cp.child.pid!, settle: async () => void (await waitIdle(cp.child.pid!)), stop };
}

export interface Broker {
  brokers: string;
  stop(): Promise<void>;
}

/** A single-node Kafka broker from scripts/kafka, with its own state file so it never touches a test run's broker. */
export async function startBroker(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'cp-bench-kafka-'));
  const env = { ...process.env, KAFKA_STATE_FILE: join(dir, 'state'), KAFKA_OWNER_PID: String(process.pid) };
  const { stdout } = await run('bash', [join(ROOT, 'scripts/kafka/start.sh')], { env, timeout: 180_000 });
  const brokers = /KAFKA_BROKERS=(\S+)/.exec(stdout)?.[1];
  if (!brokers) throw new Error(`scripts/kafka/start.sh printed no KAFKA_BROKERS: ${stdout}`);
  return {
    brokers,
    stop: async () => {
      await run('bash', [join(ROOT, 'scripts/kafka/stop.sh')], { env }).catch(() => undefined);
      removeDir(dir);
    },
  };
}

/** A distributed control plane with every instance's address and process. */
export interface ScaledTopology extends Topology {
  apis: ControlPlane[];
  projectors: ControlPlane[];
  /** The run's event store schema (PG_URL). */
  eventSchema: string;
}

/**
 * Distributed mode: the API on a PostgreSQL event store with its relay to Kafka,
 * and l2pop-projectors consuming the topic (one consumer group) into a shared
 * PostgreSQL read model and serving the watch streams. Schemas and topic are
 * the run's own. With several API instances, the first one's relay publishes
 * and the others only write the store (as operators run them: one relay).
 */
export async function distributed(
  events: Iterable<Stamped>,
  broker: Broker,
  opts: { profileDir?: string; apis?: number; projectors?: number } = {},
): Promise<ScaledTopology> {
  const { profileDir, apis = 1, projectors = 1 } = opts;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const eventSchema = `bench_es_${id}`;
  const readSchema = `bench_rm_${id}`;
  const kafka = { CP_KAFKA_BROKERS: broker.brokers, CP_KAFKA_TOPIC: `bench.events.${id}` };
  // dataDir is unused when an event store URL is given.
  await prepopulate({ dataDir: tmpdir(), eventStoreUrl: PG_URL, eventStoreSchema: eventSchema }, events);
  const procs: ControlPlane[] = [];
  const stop = async () => {
    for (const p of procs.reverse()) await p.stop();
    const admin = await openDatabase({ kind: 'postgres', url: PG_URL }, []);
    for (const s of [eventSchema, readSchema]) await admin.run(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.close();
  };
  const apiProcs: ControlPlane[] = [];
  const l2Procs: ControlPlane[] = [];
  try {
    for (let i = 0; i < apis; i++) {
      // Without CP_KAFKA_BROKERS an API instance runs no relay.
      const relay = i === 0 ? kafka : {};
      const p = await spawnControlPlane({ nodeArgs, env: { ...relay, CP_EVENT_STORE_URL: PG_URL, CP_EVENT_STORE_SCHEMA: eventSchema } });
      procs.push(p);
      apiProcs.push(p);
    }
    for (let i = 0; i < projectors; i++) {
      const p = await spawnControlPlane({
        nodeArgs,
        script: join(ROOT, 'dist/apps/l2pop-projector/src/main.js'),
        env: { ...kafka, CP_READ_MODEL_URL: PG_URL, CP_READ_MODEL_SCHEMA: readSchema },
      });
      procs.push(p);
      l2Procs.push(p);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const [api, l2] = [apiProcs[0], l2Procs[0]];
  return {
    eventSchema,
    apis: apiProcs,
    projectors: l2Procs,
    api: api.url,
    watch: l2.url,
    watchPid: l2.child.pid!,
    settle: async () => {
      // Lag, not CPU: the projector may be idle before the relay's last batch reaches it, and
      // once agents watch it is never idle (each watch re-reads its host every CP_WATCH_POLL_MS).
      for (const p of procs) await untilNoLag(p.url);
      await new Promise((r) => setTimeout(r, 1000));
    },
    stop,
  };
}

/** Polls /readyz until every lag it reports (relay, projector) is 0. */
async function untilNoLag(base: string, timeoutMs = 600_000): Promise<void> {
  const http = new Http(base, 1);
  try {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
      const res = await http.call<unknown>('GET', '/readyz').catch(() => null);
      const lags = [...JSON.stringify(res?.body ?? {}).matchAll(/"lag":(\d+)/g)].map((m) => Number(m[1]));
      if (res?.status === 200 && lags.every((l) => l === 0)) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${base} still lags after ${timeoutMs / 1000} s`);
  } finally {
    http.close();
  }
}
