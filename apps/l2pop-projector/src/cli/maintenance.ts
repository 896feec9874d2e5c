#!/usr/bin/env node
import { Command } from 'commander';
import { openEmbedded } from '../runtime';
import { rebuild, verify } from './verify';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}
const defaultOutput: Output = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/**
 * node dist/apps/l2pop-projector/src/cli/maintenance.js rebuild|verify --data-dir ./data
 * (embedded layout: <data-dir>/events.sqlite and <data-dir>/l2pop.sqlite).
 */
export async function main(argv: string[], out: Output = defaultOutput): Promise<number> {
  let code = 0;
  const program = new Command().name('l2pop-maintenance').description('L2 read model maintenance');
  program
    .command('rebuild')
    .description('truncate the L2 read model and replay it from position 0 (stop the server first)')
    .option('--data-dir <dir>', 'data directory', './data')
    .action(async (o: { dataDir: string }) => {
      const stores = await openEmbedded(o.dataDir);
      try {
        const position = await rebuild(stores.store, stores.db);
        out.stdout(`rebuilt the L2 read model up to position ${position}\n`);
      } finally {
        await stores.close();
      }
    });
  program
    .command('verify')
    .description('rebuild into a scratch store and compare digests with the live model; exit 1 on any difference')
    .option('--data-dir <dir>', 'data directory', './data')
    .action(async (o: { dataDir: string }) => {
      const stores = await openEmbedded(o.dataDir);
      try {
        const r = await verify(stores.store, stores.db);
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

if (require.main === module) {
  main(process.argv).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(2);
    },
  );
}
