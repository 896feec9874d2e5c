import type { Command } from 'commander';
import {
  configKeyOf,
  kafkaSecurityFromEnv,
  loadOpsConfig,
  loadProjectorSettings,
  redactSetting,
  settingSource,
  SETTING_NAMES,
  SETTINGS_CATALOGUE,
} from '@cp/runtime';
import { PROJECTOR_SETTINGS } from '../embedded/app-processes';
import { loadSettings } from '../config';
import { loadProxySettings } from '../distributed';
import { loadRelaySettings } from '../relay/relay-config';

/** Every process's settings loader: the config is valid when each accepts it. */
const LOADERS: Array<[string, (env: NodeJS.ProcessEnv) => unknown]> = [
  ['api', (env) => [loadSettings(env), loadRelaySettings(env), loadProxySettings(env)]],
  ['every process', (env) => [loadOpsConfig(env), kafkaSecurityFromEnv(env)]],
  ['projectors', (env) => loadProjectorSettings('check', 0, env)],
  ...PROJECTOR_SETTINGS,
];

/**
 * `controlplane config`: checks the settings a process would start with (config
 * file, environment, flags) against every process's schema, and shows where
 * each came from; `--keys` lists every key a config file may hold.
 */
export function addConfigCommand(program: Command, say: (line: string) => void, failed: () => void): void {
  program
    .command('config')
    .description('check the settings (config file, environment) every process would start with, and show where each comes from')
    .option('--keys', 'list every setting a config file may hold, with what it is for')
    .action((o: { keys?: boolean }) => {
      if (o.keys) {
        for (const name of SETTING_NAMES) say(`${configKeyOf(name).padEnd(34)} ${name.padEnd(38)} ${SETTINGS_CATALOGUE[name]}`);
        return;
      }
      for (const name of SETTING_NAMES) {
        const source = settingSource(name);
        if (source === 'default') continue;
        const where = typeof source === 'object' ? `${source.file}: ${source.key}` : source;
        say(`${configKeyOf(name)} = ${redactSetting(name, process.env[name] ?? '')}  (${where})`);
      }
      for (const [what, load] of LOADERS) {
        try {
          load(process.env);
        } catch (e) {
          say(`INVALID for ${what}: ${(e as Error).message}`);
          failed();
          return;
        }
      }
      say('valid for every process; anything not listed takes its default');
    });
}
