import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SETTING_NAMES, type SettingName } from './settings-catalogue';

/**
 * The config file (YAML): the same settings as the environment, keyed by their
 * names in lower case without `CP_` (`port: 9696`, `kafka_brokers: [a:9092]`).
 * Maps nest, their keys joined by `_` (`kafka: {brokers: [...]}` is
 * `kafka_brokers`), so a file can group what belongs together. Precedence:
 * command-line flag, then environment, then the file, then the default.
 */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
}

/** Where each setting came from, for error messages and `controlplane config`. */
export type SettingSource = 'flag' | 'environment' | { file: string; key: string };
const sources = new Map<string, SettingSource>();

export const configKeyOf = (name: SettingName): string => name.slice(3).toLowerCase();

/** A setting's name as an error should give it: with the config file's key when the value came from there. */
export function describeSetting(name: string): string {
  const source = sources.get(name);
  return source && typeof source === 'object' ? `${source.key} (${name}, in ${source.file})` : name;
}

export function settingSource(name: string, env: NodeJS.ProcessEnv = process.env): SettingSource | 'default' {
  return sources.get(name) ?? (env[name] !== undefined ? 'environment' : 'default');
}

/** Sets settings from command-line flags: they win over the environment and the file. */
export function applyFlagSettings(values: Record<string, string | undefined>, env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    env[name] = value;
    sources.set(name, 'flag');
  }
}

/**
 * Reads a config file and fills in the settings the environment (or a flag)
 * has not set. Every key is checked before anything is applied: an unknown key
 * or a value that is not a scalar stops the process naming it.
 */
export function applyConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): { file: string; applied: string[] } {
  const file = resolve(path);
  const values = readConfigFile(file);
  const applied: string[] = [];
  for (const [name, { key, value }] of values) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    sources.set(name, { file, key });
    applied.push(name);
  }
  return { file, applied };
}

/** The file's settings by environment name, validated against the catalogue. */
export function readConfigFile(file: string): Map<SettingName, { key: string; value: string }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigFileError(`config file ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigFileError(`config file ${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return new Map();
  if (!isMap(doc)) throw new ConfigFileError(`config file ${file}: expected a map of settings at the top`);
  const out = new Map<SettingName, { key: string; value: string }>();
  const known = new Map(SETTING_NAMES.map((n) => [configKeyOf(n), n]));
  const walk = (map: Record<string, unknown>, prefix: string[]) => {
    for (const [k, v] of Object.entries(map)) {
      const path = [...prefix, k];
      const key = path.join('.');
      const flat = path.join('_').toLowerCase();
      if (isMap(v)) {
        if (![...known.keys()].some((n) => n.startsWith(`${flat}_`))) throw unknownKey(file, key, flat, known);
        walk(v, path);
        continue;
      }
      const name = known.get(flat);
      if (!name) throw unknownKey(file, key, flat, known);
      if (out.has(name)) throw new ConfigFileError(`config file ${file}: ${key} is set twice (as ${out.get(name)!.key} too)`);
      out.set(name, { key, value: scalar(file, key, v) });
    }
  };
  walk(doc, []);
  return out;
}

function scalar(file: string, key: string, v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  // A list is written comma-separated, as the environment has it (kafka brokers, VLAN ranges).
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(',');
  throw new ConfigFileError(
    `config file ${file}: ${key} must be a string, number, boolean or list of them, not ${v === null ? 'empty' : typeof v}`,
  );
}

function unknownKey(file: string, key: string, flat: string, known: Map<string, SettingName>): ConfigFileError {
  const guess = closest(flat, [...known.keys()]);
  return new ConfigFileError(`config file ${file}: unknown key ${key}${guess ? ` (did you mean ${guess}?)` : ''}`);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The known key nearest to a typo, if one is near enough to be what was meant. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (!best || d < best.d) best = { key: c, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 4)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** A setting's value fit for a terminal or a log: a password hidden, and a password inside a URL. */
export function redactSetting(name: string, value: string): string {
  if (/PASSWORD/.test(name)) return '***';
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
