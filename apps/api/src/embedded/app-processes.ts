import { dhcpConfigFromEnv, serveDhcpProcess } from '../../../dhcp-projector/src';
import { serveL2popProcess } from '../../../l2pop-projector/src';
import { l3ConfigFromEnv, serveL3Process } from '../../../l3-scheduler/src';

/**
 * What the operator's commands (src/cli/) need of the other apps, taken here,
 * in the composition root, so the CLI itself imports no other app: their
 * server processes, and the settings loaders of their own.
 */
export const PROJECTOR_PROCESSES = {
  l2pop: serveL2popProcess,
  l3: serveL3Process,
  dhcp: serveDhcpProcess,
} as const;

/** Each projector app's own settings, checked as its process would at start. */
export const PROJECTOR_SETTINGS: Array<[string, (env: NodeJS.ProcessEnv) => unknown]> = [
  ['l3-scheduler', (env) => l3ConfigFromEnv(env)],
  ['dhcp-projector', (env) => dhcpConfigFromEnv(env)],
];
