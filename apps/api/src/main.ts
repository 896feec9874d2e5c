import 'reflect-metadata';
import { failedToStart, serve } from './serve';

/** `npm start`: the server (see serve.ts); `controlplane serve` is the same. */
serve().catch(failedToStart);
