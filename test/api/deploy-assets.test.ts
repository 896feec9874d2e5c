/*
 * The ready-made monitoring in deploy/: the alert rules are well-formed, and every
 * metric they and the dashboard use is one the control plane declares; those of an
 * embedded process are on its /metrics (the relay's are distributed mode's).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { removeDir, runControlplane, spawnControlPlane } from '../support/control-plane';

const root = join(__dirname, '../..');
const metricsIn = (text: string) => new Set(text.match(/controlplane_[a-z0-9_]+/g) ?? []);

/** Metric names declared in the source (`name: 'controlplane_…'`), histogram series included. */
function declared(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(/name: '(controlplane_[a-z0-9_]+)'/g)) {
          names.add(m[1]);
          for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${m[1]}${suffix}`);
        }
    }
  };
  for (const dir of ['apps', 'libs']) walk(join(root, dir));
  return names;
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string };
}

test('alert rules and the dashboard use only metrics the control plane serves', async () => {
  const rules = (
    parse(readFileSync(join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }
  ).groups.flatMap((g) => g.rules);
  expect(rules.length).toBeGreaterThan(5);
  for (const r of rules) {
    expect([r.alert, ['critical', 'warning', 'info'].includes(r.labels.severity), r.annotations.summary.length > 0]).toEqual([
      r.alert,
      true,
      true,
    ]);
  }
  const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/controlplane-dashboard.json'), 'utf8')) as {
    panels: Array<{ targets: Array<{ expr: string }> }>;
  };
  const used = new Set([
    ...metricsIn(rules.map((r) => r.expr).join('\n')),
    ...metricsIn(JSON.stringify(dashboard.panels.flatMap((p) => p.targets))),
  ]);
  const known = declared();
  expect([...used].filter((m) => !known.has(m))).toEqual([]);

  // An embedded process with an agent serves all but the relay's.
  const cp = await spawnControlPlane();
  try {
    const put = await fetch(`${cp.url}/v1/agents/${encodeURIComponent('L3 agent')}/net-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(put.status).toBe(200);
    // Served: a sample, or at least its TYPE line (a labelled gauge with nothing to count yet has no sample).
    const text = await (await fetch(`${cp.url}/metrics`)).text();
    const served = new Set(text.split('\n').map((l) => (l.startsWith('# TYPE ') ? l.split(' ')[2] : l.split(/[{ ]/)[0])));
    expect([...used].filter((m) => !served.has(m) && !m.startsWith('controlplane_relay_')).sort()).toEqual([]);
    expect(text).toMatch(/^controlplane_agents\{agent_type="L3 agent",state="alive"\} 1$/m);
    expect(text).toMatch(/^controlplane_watch_streams\{feed="dhcp"\} 0$/m);
    expect(text).toMatch(/^controlplane_projector_lag_seconds\{projection="l2pop"\} 0$/m);
  } finally {
    await cp.kill();
    removeDir(cp.dataDir);
  }
});

test('each systemd unit starts a command the CLI knows, with the example config', async () => {
  const units = readdirSync(join(root, 'deploy/systemd')).filter((f) => f.endsWith('.service'));
  expect(units.sort()).toEqual([
    'controlplane-api@.service',
    'controlplane-dhcp.service',
    'controlplane-l2pop.service',
    'controlplane-l3.service',
  ]);
  for (const unit of units) {
    const exec = /^ExecStart=\/usr\/bin\/node (\S+) (.*)$/m.exec(readFileSync(join(root, 'deploy/systemd', unit), 'utf8'));
    expect([unit, exec?.[1]]).toEqual([unit, 'dist/apps/api/src/cli/controlplane.js']);
    // The unit's own arguments (systemd's %i as an instance number), the example config in place of /etc's, then --help:
    // the command and every flag parse, and the config file is valid for it.
    const args = exec![2]
      .replace('/etc/controlplane/controlplane.yaml', join(root, 'deploy/controlplane.yaml.example'))
      .replace(/%i/g, '1')
      .split(' ');
    const r = await runControlplane([...args, '--help']);
    expect([unit, r.code, r.err]).toEqual([unit, 0, '']);
    expect(r.out).toMatch(/^Usage: controlplane (serve|l2pop|l3|dhcp) /);
  }
});
