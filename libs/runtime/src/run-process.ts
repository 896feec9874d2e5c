import { DataDirError, PendingMigrationsError } from '@cp/store';
import { applyConfigFile, ConfigFileError } from './config-file';

/**
 * Starts a server process; if it cannot start, says why on stderr and exits 1.
 * What the operator has to fix (a bad setting or config file, a data directory
 * in use, a store to migrate) is one line; anything else keeps its stack.
 */
export function runProcess(start: () => Promise<void>): void {
  Promise.resolve()
    .then(() => {
      // `controlplane --config` applies it itself; a bare entry point (npm start) takes it from the environment.
      if (process.env.CP_CONFIG_FILE) applyConfigFile(process.env.CP_CONFIG_FILE);
      return start();
    })
    .catch(failedToStart);
}

export function failedToStart(err: unknown): never {
  process.stderr.write(`failed to start: ${isOperatorError(err) ? (err as Error).message : describe(err)}\n`);
  process.exit(1);
}

/** A mistake in the configuration or the data directory: said in one line, with no stack. */
export function isOperatorError(err: unknown): boolean {
  return (
    err instanceof DataDirError ||
    err instanceof PendingMigrationsError ||
    err instanceof ConfigFileError ||
    (err instanceof Error && err.message.startsWith('invalid setting '))
  );
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
