import 'reflect-metadata';
import { runCli } from './cli/controlplane';
import { failedToStart, serve } from './serve';

/**
 * `npm start`: the server (serve.ts). Given arguments (`--help`, a command), it is
 * the `controlplane` command instead, so `node main.js --help` explains rather
 * than starting a server.
 */
if (process.argv.length > 2) runCli(process.argv);
else serve().catch(failedToStart);
