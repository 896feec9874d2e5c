import { Command, Option } from 'commander';
import { applyFlagSettings, SETTING_NAMES, configKeyOf } from '@cp/runtime';
import { PROJECTOR_PROCESSES } from '../embedded/app-processes';
import { serve } from '../serve';
import { UsageError } from '../embedded/embedded-models';

interface ServerFlags {
  host?: string;
  port?: string;
  logLevel?: string;
  dataDir?: string;
  eventStoreUrl?: string;
  readModelUrl?: string;
  kafkaBrokers?: string;
  set: string[];
}

/**
 * The four server processes: `serve` (the API, or all of embedded mode), and
 * the projector processes of distributed mode. Each takes the common settings
 * as flags, and any other as `--set name=value`; a flag wins over the
 * environment, which wins over the config file.
 */
export function addServerCommands(program: Command, started: () => void): void {
  const servers: Array<{ name: string; description: string; start: () => Promise<void>; flags: Option[] }> = [
    {
      name: 'serve',
      description: 'run the control plane: embedded mode, or one API instance when an event store URL is set (the same as npm start)',
      start: serve,
      flags: [dataDirFlag(), new Option('--event-store-url <url>', 'PostgreSQL event store: distributed mode'), kafkaFlag()],
    },
    {
      name: 'l2pop',
      description: 'run an l2pop-projector instance (distributed mode: Kafka and a PostgreSQL read model; else over a data directory)',
      start: PROJECTOR_PROCESSES.l2pop,
      flags: [dataDirFlag(), readModelFlag(), kafkaFlag()],
    },
    {
      name: 'l3',
      description: 'run an l3-scheduler instance: the HA scheduler and the L3 read model (distributed mode only)',
      start: PROJECTOR_PROCESSES.l3,
      flags: [new Option('--event-store-url <url>', 'PostgreSQL event store'), readModelFlag(), kafkaFlag()],
    },
    {
      name: 'dhcp',
      description: 'run a dhcp-projector instance (distributed mode only)',
      start: PROJECTOR_PROCESSES.dhcp,
      flags: [readModelFlag(), kafkaFlag()],
    },
  ];
  for (const s of servers) {
    const command = program
      .command(s.name)
      .description(s.description)
      .option('--host <address>', 'listen address')
      .option('--port <port>', 'listen port')
      .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent');
    for (const flag of s.flags) command.addOption(flag);
    command
      .option('--set <name=value>', 'any other setting, by its config key or CP_ name (repeatable)', collect, [])
      .action(async (o: ServerFlags) => {
        applyFlagSettings({
          CP_HOST: o.host,
          CP_PORT: o.port,
          CP_LOG_LEVEL: o.logLevel,
          CP_DATA_DIR: o.dataDir,
          CP_EVENT_STORE_URL: o.eventStoreUrl,
          CP_READ_MODEL_URL: o.readModelUrl,
          CP_KAFKA_BROKERS: o.kafkaBrokers,
          ...Object.fromEntries(o.set.map(parseSet)),
        });
        await s.start();
        started();
      });
  }
}

const dataDirFlag = () => new Option('--data-dir <dir>', 'data directory (embedded mode)');
const readModelFlag = () => new Option('--read-model-url <url>', 'PostgreSQL read model shared by the instances');
const kafkaFlag = () => new Option('--kafka-brokers <list>', 'Kafka bootstrap brokers, comma-separated');

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `port=9696` or `CP_PORT=9696` to [CP_PORT, '9696']; an unknown name is a usage error. */
export function parseSet(assignment: string): [string, string] {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set wants name=value, not '${assignment}'`);
  const raw = assignment.slice(0, eq).trim();
  const name = SETTING_NAMES.find((n) => n === raw.toUpperCase() || configKeyOf(n) === raw.toLowerCase().replace(/[.-]/g, '_'));
  if (!name) throw new UsageError(`--set: unknown setting '${raw}' (controlplane config --keys lists them)`);
  return [name, assignment.slice(eq + 1)];
}
