/*
 * `rebuild` and `verify` over an embedded data directory (events.sqlite and
 * l2pop.sqlite), through the command's own entry point and exit code.
 */
import { rmSync } from 'node:fs';
import { openDatabase } from '@cp/store';
import { main } from '../../apps/api/src/cli/controlplane';
import { L2POP_INDEXES } from '../../apps/l2pop-projector/src/model/tables';
import { embeddedPaths } from '../../apps/l2pop-projector/src/runtime';
import * as e from './support/events';
import { appendBodies, L2Harness, tempDir } from './support/harness';

const vm = (id: string, host: string, n: number) => [
  e.port(id, 'n1', { host, mac: `fa:16:3e:00:05:0${n}`, ips: [`192.168.5.${n}`], groups: ['def'] }),
  e.up(id, 'n1', host),
];

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'controlplane', ...args, '--model', 'l2'], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

test('verify passes on a healthy model, fails on a tampered one, and rebuild repairs it', async () => {
  const dir = tempDir();
  const h = await L2Harness.sqlite({ dir });
  await h.append(
    e.agent('c1', '10.0.0.1'),
    e.agent('c2', '10.0.0.2'),
    e.network('n1'),
    e.defaultGroup('def'),
    vm('p1', 'c1', 1),
    vm('p2', 'c2', 2),
  );
  await h.runtime.stop();
  // Events the live model has not seen yet: verify compares at the live checkpoint.
  await appendBodies(h.store, [e.down('p1', 'n1', 'c1')]);
  await h.close();

  const ok = await run('verify', '--data-dir', dir);
  expect(ok).toMatchObject({ code: 0, err: '' });
  expect(ok.out).toMatch(/^l2: ok at position \d+/);

  const live = await openDatabase({ kind: 'sqlite', path: embeddedPaths(dir).readModel }, []);
  await live.run(`UPDATE l2_members SET entries = '[]' WHERE host = 'c2'`);
  await live.close();
  const bad = await run('verify', '--data-dir', dir);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/^l2: DIFFERENT at position \d+; tables: l2_members/);

  const rebuilt = await run('rebuild', '--data-dir', dir);
  expect(rebuilt).toMatchObject({ code: 0 });
  expect(rebuilt.out).toMatch(/^l2: rebuilt from position 0 to position \d+/);
  expect((await run('verify', '--data-dir', dir)).code).toBe(0);
  // The rebuild dropped the secondary indexes while writing: every one is back.
  const model = await openDatabase({ kind: 'sqlite', path: embeddedPaths(dir).readModel }, []);
  const indexes = await model.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'");
  await model.close();
  expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining(L2POP_INDEXES.map((i) => i.name)));
  expect(L2POP_INDEXES.length).toBeGreaterThan(10);
  rmSync(dir, { recursive: true, force: true });
});
