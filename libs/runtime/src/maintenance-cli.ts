import { Command } from 'commander';
import type { Database, EventStore, VerifyResult } from '@cp/store';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}
const defaultOutput: Output = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** One read model over an embedded data directory, as its maintenance commands need it. */
export interface MaintainedModel {
  /** e.g. `L2`, `DHCP` */
  label: string;
  /** The event store and the model's database of a data directory. */
  open(dataDir: string): Promise<{ store: EventStore; db: Database; close(): Promise<void> }>;
  verify(store: EventStore, db: Database): Promise<VerifyResult>;
  rebuild(store: EventStore, db: Database): Promise<number>;
}

/**
 * `rebuild` and `verify` for a read model over an embedded data directory, with
 * exit codes a script can rely on: 0 ok, 1 the digests differ, 2 an error.
 */
export async function maintenanceCli(name: string, model: MaintainedModel, argv: string[], out: Output = defaultOutput): Promise<number> {
  let code = 0;
  const program = new Command().name(name).description(`${model.label} read model maintenance`);
  program
    .command('rebuild')
    .description(`truncate the ${model.label} read model and replay it from position 0 (stop the server first)`)
    .option('--data-dir <dir>', 'data directory', './data')
    .action(async (o: { dataDir: string }) => {
      const stores = await model.open(o.dataDir);
      try {
        const position = await model.rebuild(stores.store, stores.db);
        out.stdout(`rebuilt the ${model.label} read model up to position ${position}\n`);
      } finally {
        await stores.close();
      }
    });
  program
    .command('verify')
    .description('rebuild into a scratch store and compare digests with the live model; exit 1 on any difference')
    .option('--data-dir <dir>', 'data directory', './data')
    .action(async (o: { dataDir: string }) => {
      const stores = await model.open(o.dataDir);
      try {
        const r = await model.verify(stores.store, stores.db);
        if (r.ok) {
          out.stdout(`ok: live == rebuilt at position ${r.position} (digest ${r.live})\n`);
        } else {
          code = 1;
          out.stderr(
            r.message
              ? `${r.message}\n`
              : `DIFFERENT at position ${r.position}: live ${r.live} rebuilt ${r.rebuilt}; tables: ${r.differences.join(', ')}\n`,
          );
        }
      } finally {
        await stores.close();
      }
    });
  await program.parseAsync(argv);
  return code;
}

/** Runs a maintenance CLI as a process's main: its exit code, or 2 with the error. */
export function runMaintenance(main: (argv: string[]) => Promise<number>): void {
  main(process.argv).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(2);
    },
  );
}
