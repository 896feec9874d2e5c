/**
 * Runs a real single-node Kafka broker (KRaft) for tests, through scripts/kafka/start.sh and
 * stop.sh. Each broker gets its own state file, so a test can run its own broker next to the
 * shared one from jest's global setup, and stop and restart it (same port, same data) to
 * inject a broker outage.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SCRIPTS_DIR = path.resolve(__dirname, '..', '..', 'scripts', 'kafka');

export interface StartKafkaOptions {
  /** Listen on this port (a restart on the same port keeps clients' bootstrap address valid). */
  port?: number;
  /** Reuse a dir kept by `stop({ keepData: true })`: same cluster, same topics and messages. */
  dataDir?: string;
  /**
   * The broker is stopped (and its dir removed) once this process is gone, in case nobody
   * calls stop(): a crashed or killed test run must not leave a JVM behind. Defaults to this
   * process; null keeps the broker running after this process exits.
   */
  ownerPid?: number | null;
  /** Overall limit for start.sh, including a first-time Maven fetch of the jars. */
  timeoutMs?: number;
}

export interface KafkaBroker {
  /** Bootstrap list for clients, `127.0.0.1:<port>`. */
  brokers: string;
  port: number;
  /** The broker's dir (config, logs, data); pass it back as `dataDir` to restart the broker. */
  dataDir: string;
  pid: number;
  /** The state file stop.sh reads; lets another process (e.g. global teardown) stop it. */
  stateFile: string;
  /** Stops the broker; keeps its dir when `keepData` is set. Safe to call more than once. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

interface RunResult {
  stdout: string;
  stderr: string;
}

function runScript(script: 'start.sh' | 'stop.sh', args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [path.join(SCRIPTS_DIR, script), ...args],
      { env, timeout: timeoutMs, killSignal: 'SIGTERM', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const why = error.killed ? `timed out after ${timeoutMs} ms` : `failed (${error.message.split('\n')[0]})`;
          reject(new Error(`scripts/kafka/${script} ${why}\n${stderr.trim()}`));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

function readState(stateFile: string): Record<string, string> {
  const state: Record<string, string> = {};
  for (const line of readFileSync(stateFile, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) state[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return state;
}

/** Stops the broker recorded in `stateFile` (see start.sh); a missing broker is not an error. */
export async function stopKafkaByStateFile(stateFile: string, opts: { keepData?: boolean } = {}): Promise<void> {
  await runScript(
    'stop.sh',
    opts.keepData ? ['--keep-data'] : [],
    { ...process.env, KAFKA_STATE_FILE: stateFile },
    // stop.sh waits up to 30 s for SIGTERM, then up to 5 s after SIGKILL.
    45_000,
  );
}

export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'controlplane-kafka-state-'));
  const stateFile = path.join(stateDir, 'state');
  const args: string[] = [];
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  if (opts.dataDir !== undefined) args.push('--data-dir', opts.dataDir);
  const ownerPid = opts.ownerPid === undefined ? process.pid : opts.ownerPid;
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_STATE_FILE: stateFile };
  if (ownerPid !== null) env.KAFKA_OWNER_PID = String(ownerPid);
  else delete env.KAFKA_OWNER_PID;

  let result: RunResult;
  try {
    result = await runScript('start.sh', args, env, opts.timeoutMs ?? 300_000);
  } catch (err) {
    rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
  const match = /^KAFKA_BROKERS=(\S+)$/m.exec(result.stdout);
  if (!match) {
    await stopKafkaByStateFile(stateFile).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
    throw new Error(`scripts/kafka/start.sh printed no KAFKA_BROKERS line:\n${result.stdout}\n${result.stderr}`);
  }
  const state = readState(stateFile);
  let stopped: Promise<void> | undefined;
  return {
    brokers: match[1],
    port: Number(state.port),
    dataDir: state.data_dir,
    pid: Number(state.pid),
    stateFile,
    stop(stopOpts: { keepData?: boolean } = {}): Promise<void> {
      // Memoised: a test's finally block and its afterAll may both call stop().
      stopped ??= stopKafkaByStateFile(stateFile, stopOpts).finally(() => rmSync(stateDir, { recursive: true, force: true }));
      return stopped;
    },
  };
}
