import 'reflect-metadata';
import { runCli } from './cli/controlplane';
import { runProcess } from '@cp/runtime';
import { serve } from './serve';

/**
 * `npm start`: the server (serve.ts). Given arguments (`--help`, a command), it is
 * the `controlplane` command instead, so `node main.js --help` explains rather
 * than starting a server.
 */
if (process.argv.length > 2) runCli(process.argv);
else runProcess(serve);
