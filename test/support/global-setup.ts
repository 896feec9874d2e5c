/**
 * Jest global setup: makes sure the real services the tests talk to are there.
 *
 * - Kafka: when KAFKA_BROKERS is set, that broker is used as is. Otherwise a single-node
 *   broker is started (scripts/kafka/start.sh) and its address exported as KAFKA_BROKERS,
 *   which jest's workers inherit. If it cannot start, CI=true fails the run (Kafka tests are
 *   never skipped in CI); elsewhere a warning is printed and KAFKA_UNAVAILABLE=1 is set, so
 *   Kafka tests can skip themselves on a developer machine without Java.
 * - PostgreSQL on 127.0.0.1:5432: checked, and started through pg_ctlcluster when it does
 *   not answer. Same policy: CI=true fails, elsewhere PG_UNAVAILABLE=1 and a warning.
 *
 * Both run at once; a warm start takes a few seconds. Idempotent, so it is harmless when
 * several jest projects list it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { buildDist } from './build-dist';
import { type KafkaBroker, startKafka } from './kafka-broker';

/** Where setup hands the broker to teardown (both run in jest's main process). */
export const KAFKA_HANDLE_KEY = Symbol.for('controlplane.test.kafkaBroker');
/** The same hand-over as a file, for a teardown that cannot see setup's globals. */
export function kafkaHandoffFile(pid: number = process.pid): string {
  return path.join(os.tmpdir(), `controlplane-kafka-jest-${pid}.json`);
}

const isCI = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

const PG_HOST = '127.0.0.1';
const PG_PORT = 5432;

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ ok: !error, output: `${stdout}${stderr}`.trim() });
    });
  });
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, cmd)));
}

function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function postgresAnswers(): Promise<boolean> {
  // pg_isready asks the server whether it accepts connections (not only whether the port is
  // open, which is also true while it is still starting up or shutting down).
  if (onPath('pg_isready')) {
    return (await run('pg_isready', ['-h', PG_HOST, '-p', String(PG_PORT), '-t', '2'], 5_000)).ok;
  }
  return tcpAnswers(PG_HOST, PG_PORT, 2_000);
}

async function ensurePostgres(): Promise<void> {
  if (await postgresAnswers()) return;

  // Debian's clusters live under /etc/postgresql/<version>/main. --skip-systemctl-redirect:
  // there is no systemd on our machines, so start the cluster directly.
  const tried: string[] = [];
  if (onPath('pg_ctlcluster') && existsSync('/etc/postgresql')) {
    for (const version of readdirSync('/etc/postgresql')) {
      const res = await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], 30_000);
      tried.push(`pg_ctlcluster ${version} main start: ${res.ok ? 'ok' : res.output || 'failed'}`);
    }
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (await postgresAnswers()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const why = `PostgreSQL does not answer on ${PG_HOST}:${PG_PORT}${tried.length ? ` (${tried.join('; ')})` : ''}`;
  if (isCI()) throw new Error(why);
  console.warn(`[global-setup] ${why}; tests that need it will fail or skip (PG_UNAVAILABLE=1).`);
  process.env.PG_UNAVAILABLE = '1';
}

async function ensureKafka(): Promise<void> {
  if (process.env.KAFKA_BROKERS) return;

  const began = Date.now();
  let broker: KafkaBroker;
  try {
    broker = await startKafka();
  } catch (err) {
    const why = `Kafka broker could not start: ${(err as Error).message}`;
    if (isCI()) throw new Error(why, { cause: err });
    console.warn(`[global-setup] ${why}\n[global-setup] Kafka tests will be skipped (KAFKA_UNAVAILABLE=1).`);
    process.env.KAFKA_UNAVAILABLE = '1';
    return;
  }
  process.env.KAFKA_BROKERS = broker.brokers;
  delete process.env.KAFKA_UNAVAILABLE;
  (globalThis as Record<symbol, unknown>)[KAFKA_HANDLE_KEY] = broker;
  writeFileSync(
    kafkaHandoffFile(),
    JSON.stringify({ stateFile: broker.stateFile, brokers: broker.brokers, dataDir: broker.dataDir, pid: broker.pid }),
  );
  console.log(`[global-setup] Kafka broker ${broker.brokers} started in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

/** The part of jest's GlobalConfig used here (kept structural to avoid importing @jest/types). */
interface JestGlobalConfigLike {
  selectProjects?: string[] | null;
}

export default async function globalSetup(globalConfig?: JestGlobalConfigLike): Promise<void> {
  // `jest --selectProjects unit` runs no test that needs the services: skip their startup.
  const selected = globalConfig?.selectProjects;
  if (selected && selected.length > 0 && !selected.includes('integration')) return;

  buildDist();

  // allSettled: a PostgreSQL failure must not leave a freshly started broker unrecorded.
  const results = await Promise.allSettled([ensureKafka(), ensurePostgres()]);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    // Jest skips global teardown when setup throws, so stop what was started here.
    const broker = (globalThis as Record<symbol, unknown>)[KAFKA_HANDLE_KEY] as KafkaBroker | undefined;
    if (broker) {
      await broker.stop().catch(() => undefined);
      delete (globalThis as Record<symbol, unknown>)[KAFKA_HANDLE_KEY];
      delete process.env.KAFKA_BROKERS;
    }
    throw new Error(failures.map((f) => (f.reason as Error).message).join('\n'));
  }
}
