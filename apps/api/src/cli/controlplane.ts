#!/usr/bin/env node
import 'reflect-metadata';
import { Command, CommanderError, Option } from 'commander';
import { DataDirError, lockDataDir, PendingMigrationsError } from '@cp/store';
import { applyConfigFile, ConfigFileError, failedToStart } from '@cp/runtime';
import { backupDataDir, restoreDataDir } from './backup-restore';
import { addConfigCommand } from './config-command';
import { addEventsCommand } from './events-command';
import { addExplainCommand } from './explain-command';
import { addServerCommands } from './server-commands';
import { migrateEventStore } from './migrate';
import {
  MODEL_NAMES,
  modelsNamed,
  openEventsForReading,
  rebuildModel,
  requireEventStore,
  takeModelSnapshot,
  UsageError,
} from '../embedded/embedded-models';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}
const defaultOutput: Output = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Exit codes a script can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * `controlplane <command>`: the server and the operator's commands over an
 * embedded data directory. Exit 0 on success, 1 when a check fails or the
 * command is refused (a data directory in use, a target that exists), 2 on a
 * mistake in the command line.
 */
export async function main(argv: string[], out: Output = defaultOutput): Promise<number> {
  let code: number = EXIT.ok;
  const say = (line: string) => out.stdout(`${line}\n`);
  const dataDir = () => new Option('--data-dir <dir>', 'data directory').env('CP_DATA_DIR').default('./data');
  const model = () => new Option('--model <name>', `read model: ${MODEL_NAMES.join(', ')} or all`).default('all');
  const program = new Command()
    .name('controlplane')
    .description('The event-sourced Neutron control plane: its server and maintenance commands')
    .exitOverride()
    .configureOutput({ writeOut: (t) => out.stdout(t), writeErr: (t) => out.stderr(t) })
    .addOption(
      new Option('--config <file>', 'YAML config file (docs/configuration.md); flags and the environment win over it').env(
        'CP_CONFIG_FILE',
      ),
    )
    // Before a command's own options read the environment, so the file's values reach them too.
    .hook('preSubcommand', (self) => {
      const file = self.opts<{ config?: string }>().config;
      if (file) applyConfigFile(file);
    });

  addServerCommands(program, () => (code = -1)); // serving: the process lives on
  addConfigCommand(program, say, () => (code = EXIT.failed));
  addEventsCommand(program, say);
  addExplainCommand(program, say);
  program
    .command('backup')
    .description('copy the event store of a data directory, online (a server may be running), consistent as of one commit')
    .addOption(dataDir())
    .requiredOption('--to <file>', 'the backup file to write (must not exist)')
    .action(async (o: { dataDir: string; to: string }) => {
      await backupDataDir(o.dataDir, o.to, say);
    });
  program
    .command('restore')
    .description('restore a backup into a new data directory, rebuild every read model and verify it')
    .requiredOption('--from <file>', 'a file written by backup')
    .addOption(dataDir())
    .action(async (o: { from: string; dataDir: string }) => {
      const r = await restoreDataDir(o.from, o.dataDir, say);
      if (!r.ok) code = EXIT.failed;
    });
  program
    .command('migrate')
    .description(
      "apply the event store's migrations this release brings (back it up and stop every process of the older release first); a store with some pending is refused at start",
    )
    .addOption(dataDir())
    .addOption(
      new Option('--event-store-url <url>', 'PostgreSQL event store (distributed mode) instead of the data directory').env(
        'CP_EVENT_STORE_URL',
      ),
    )
    .addOption(new Option('--event-store-schema <schema>', 'its schema').env('CP_EVENT_STORE_SCHEMA'))
    .action(async (o: { dataDir: string; eventStoreUrl?: string; eventStoreSchema?: string }) => {
      const r = await migrateEventStore(o);
      say(`event store ${r.where}: ${r.applied.length > 0 ? `applied ${r.applied.join(', ')}` : 'nothing to apply'}; at ${r.version}`);
    });
  program
    .command('verify')
    .description('replay read models into scratch stores and compare digests with the live ones (a server may be running)')
    .addOption(dataDir())
    .addOption(model())
    .action(async (o: { dataDir: string; model: string }) => {
      const events = await openEventsForReading(o.dataDir);
      try {
        for (const m of modelsNamed(o.model)) {
          const db = await m.open(o.dataDir);
          try {
            const r = await m.verify(events.store, db);
            if (r.ok) say(`${m.name}: ok at position ${r.position} (digest ${r.live})`);
            else {
              code = EXIT.failed;
              out.stderr(`${m.name}: ${r.message ?? `DIFFERENT at position ${r.position}; tables: ${r.differences.join(', ')}`}\n`);
            }
          } finally {
            await db.close();
          }
        }
      } finally {
        await events.close();
      }
    });
  program
    .command('rebuild')
    .description(
      'rebuild read models: from the newest snapshot plus the events after it, or from position 0 (refused while a server uses the data directory)',
    )
    .addOption(dataDir())
    .addOption(model())
    .option('--from-scratch', 'ignore snapshots and replay the whole log (after verify found a difference, say)')
    .action(async (o: { dataDir: string; model: string; fromScratch?: boolean }) => {
      const models = modelsNamed(o.model);
      requireEventStore(o.dataDir);
      const lock = lockDataDir(o.dataDir);
      try {
        const events = await openEventsForReading(o.dataDir);
        try {
          for (const m of models) {
            const started = Date.now();
            const r = await rebuildModel(events.store, o.dataDir, m, Boolean(o.fromScratch));
            const from = r.snapshot ? `snapshot at ${r.snapshot.position}` : 'position 0';
            say(`${m.name}: rebuilt from ${from} to position ${r.position} in ${Date.now() - started} ms`);
          }
        } finally {
          await events.close();
        }
      } finally {
        lock.release();
      }
    });
  program
    .command('snapshot')
    .description("save read models' current state, online (a server may be running), for rebuilds to start from")
    .addOption(dataDir())
    .addOption(model())
    .addOption(new Option('--keep <n>', 'snapshots kept per model').env('CP_SNAPSHOT_KEEP').default(2).argParser(Number))
    .action(async (o: { dataDir: string; model: string; keep: number }) => {
      requireEventStore(o.dataDir);
      for (const m of modelsNamed(o.model)) {
        const started = Date.now();
        const taken = await takeModelSnapshot(o.dataDir, m, o.keep);
        say(
          taken
            ? `${m.name}: snapshot at position ${taken.position} in ${Date.now() - started} ms: ${taken.path}`
            : `${m.name}: nothing applied yet, no snapshot`,
        );
      }
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage; // --help, or a usage error already printed
    if (err instanceof UsageError) {
      out.stderr(`${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof DataDirError || err instanceof PendingMigrationsError || err instanceof ConfigFileError) {
      out.stderr(`${err.message}\n`);
      return EXIT.failed;
    }
    throw err;
  }
  return code;
}

const SERVERS = new Set(['serve', 'l2pop', 'l3', 'dhcp']);

/** Runs the command as the process: its exit code; `serve` keeps the process alive. */
export function runCli(argv: string[]): void {
  // Output piped into `head` that has seen enough: stop quietly, as Unix tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(EXIT.ok) : undefined));
  main(argv).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err: unknown) => {
      if (argv.slice(2).some((a) => SERVERS.has(a))) failedToStart(err);
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(EXIT.failed);
    },
  );
}

if (require.main === module) runCli(process.argv);
