/*
 * The config file and the command line as an operator meets them: the same
 * settings from a YAML file, the environment or flags (flag > environment >
 * file), a bad key or value named at start-up with the file it came from,
 * and `controlplane config` checking a file before a rollout.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configKeyOf, SETTING_NAMES } from '@cp/runtime';
import { buildDist } from '../support/build-dist';
import { removeDir, runControlplane as controlplane, spawnControlPlane } from '../support/control-plane';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cp-config-'));
beforeAll(buildDist, 120_000);
afterAll(() => removeDir(dir));

/** A config file in the test's directory. */
function file(name: string, yaml: string): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

test('a server takes its settings from the config file, nested keys included', async () => {
  const dataDir = join(dir, 'data-a');
  const config = file('a.yaml', `port: 0\nlog_level: warn\ndata_dir: ${dataDir}\nquota:\n  network: 1\n`);
  const cp = await spawnControlPlane({
    args: ['--config', config, 'serve'],
    env: { CP_PORT: undefined, CP_DATA_DIR: undefined, CP_LOG_LEVEL: undefined },
  });
  try {
    const create = () =>
      fetch(`${cp.url}/v2.0/networks`, {
        method: 'POST',
        body: JSON.stringify({ network: {} }),
        headers: { 'content-type': 'application/json' },
      });
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(409); // quota.network: 1, from the file
    expect(statSync(join(dataDir, 'events.sqlite')).isFile()).toBe(true);
  } finally {
    await cp.kill();
  }
});

test('npm start (no arguments) reads the file named by CP_CONFIG_FILE; the environment wins over it, a flag over both', async () => {
  const config = file('b.yaml', `log_level: warn\nquota_network: 1\nquota_subnet: 1\n`);
  const cp = await spawnControlPlane({ env: { CP_CONFIG_FILE: config, CP_QUOTA_NETWORK: '2' } });
  try {
    const quotas = (await (await fetch(`${cp.url}/v2.0/quotas/admin`)).json()) as { quota: Record<string, number> };
    expect(quotas.quota.network).toBe(2);
    expect(quotas.quota.subnet).toBe(1);
  } finally {
    await cp.kill();
  }
  const flagged = await spawnControlPlane({
    args: ['--config', config, 'serve', '--set', 'quota.network=5'],
    env: { CP_QUOTA_NETWORK: '2' },
  });
  try {
    const quotas = (await (await fetch(`${flagged.url}/v2.0/quotas/admin`)).json()) as { quota: Record<string, number> };
    expect(quotas.quota.network).toBe(5);
  } finally {
    await flagged.kill();
  }
});

test.each([
  [
    'an unknown key, with the nearest known one',
    'kafka:\n  brokerz: [a:9092]\n',
    /config file .*bad\.yaml: unknown key kafka\.brokerz \(did you mean kafka_brokers\?\)/,
  ],
  [
    'a bad value, named by its key and file',
    'agent_down_time: soon\n',
    /invalid setting agent_down_time \(CP_AGENT_DOWN_TIME, in .*bad\.yaml\): .*number/,
  ],
  ['a value of the wrong shape', 'host:\n  - [1, 2]\n', /config file .*bad\.yaml: host must be a string, number, boolean or list of them/],
  ['a key set twice', 'kafka_topic: a\nkafka:\n  topic: b\n', /kafka\.topic is set twice/],
  ['YAML that does not parse', 'port: [1\n', /config file .*bad\.yaml: not valid YAML/],
  [
    'a schema name the ORM would take for a system one',
    'event_store_schema: pgdata\n',
    /invalid setting event_store_schema \(CP_EVENT_STORE_SCHEMA, in .*\): must not start with "pg"/,
  ],
  [
    'a setting of the embedded HA scheduler',
    'min_l3_agents_per_router: 1\n',
    /invalid setting min_l3_agents_per_router \(CP_MIN_L3_AGENTS_PER_ROUTER, in .*\)/,
  ],
])(
  'a config file with %s is refused in one line, exit 1, nothing started',
  async (_what, yaml, message) => {
    const config = file('bad.yaml', yaml);
    const check = await controlplane(['config', '--config', config]);
    expect(check.code).toBe(1);
    expect(check.out + check.err).toMatch(message);
    const dataDir = mkdtempSync(join(dir, 'never-'));
    const served = await controlplane(['--config', config, 'serve', '--data-dir', dataDir, '--port', '0']);
    expect(served.code).toBe(1);
    expect(served.err.trim().split('\n')).toHaveLength(1);
    expect(served.err).toMatch(message);
    expect(readdirSync(dataDir)).toEqual([]); // refused before the data directory was touched
  },
  30_000,
);

test('controlplane config shows each setting with its source and hides secrets', async () => {
  const config = file('c.yaml', 'port: 9000\nkeystone:\n  password: s3cret\nevent_store_url: postgres://cp:hunter2@db/cp\n');
  const r = await controlplane(['config', '--config', config], { CP_LOG_LEVEL: 'debug' });
  expect(r.code).toBe(0);
  expect(r.out).toContain(`port = 9000  (${config}: port)`);
  expect(r.out).toContain('log_level = debug  (environment)');
  expect(r.out).toContain(`keystone_password = ***  (${config}: keystone.password)`);
  expect(r.out).toContain('event_store_url = postgres://cp:***@db/cp');
  expect(r.out).not.toMatch(/s3cret|hunter2/);
  expect(r.out).toMatch(/valid for every process/);
});

test('--set rejects a setting that does not exist, exit 2', async () => {
  const r = await controlplane(['serve', '--set', 'prot=1']);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/unknown setting 'prot'/);
});

test('the config file schema covers every setting the code reads, and docs/configuration.md documents each key', async () => {
  const used = new Set<string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.spec.ts'))
        for (const m of readFileSync(p, 'utf8').matchAll(/\bCP_[A-Z0-9_]*[A-Z0-9]\b/g)) used.add(m[0]);
    }
  };
  walk(join(ROOT, 'apps'));
  walk(join(ROOT, 'libs'));
  // Not settings of a process: the file's own name, and the demo client's target.
  for (const notASetting of ['CP_CONFIG_FILE', 'CP_URL', 'CP_QUOTA']) used.delete(notASetting);
  expect([...used].filter((n) => !(SETTING_NAMES as string[]).includes(n)).sort()).toEqual([]);
  const docs = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
  expect(SETTING_NAMES.filter((n) => !docs.includes(`\`${configKeyOf(n)}\``))).toEqual([]);
  const keys = await controlplane(['config', '--keys']);
  expect(keys.out.trim().split('\n')).toHaveLength(SETTING_NAMES.length);
});

test('the example config in deploy/ is valid', async () => {
  const r = await controlplane(['config', '--config', join(ROOT, 'deploy/controlplane.yaml.example')]);
  expect(r.out).toMatch(/valid for every process/);
  expect(r.code).toBe(0);
});
