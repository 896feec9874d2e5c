/*
 * `controlplane backup` under write load and `controlplane restore` into a new
 * data directory: the restored control plane serves exactly the state at the
 * backup's position (every resource, every read model's digest), compared with
 * a reference made of the live log cut at that position.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DhcpRuntime } from '../../apps/dhcp-projector/src';
import { L2popRuntime } from '../../apps/l2pop-projector/src';
import { L3Runtime } from '../../apps/l3-scheduler/src';
import { main } from '../../apps/api/src/cli/controlplane';
import { backupSqlite } from '@cp/store';
import { client, eventually, expectStatus as ok, removeDir, startInProcess, type Json } from '../support/control-plane';

const quiet = { CP_AGENT_DOWN_TIME: '600' }; // nobody dies of the test's pauses, so no server appends AgentDead on its own

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'controlplane', ...args], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

/** A control plane on an existing data directory, caught up with its log; what it serves, and its read models' digests. */
async function observe(dataDir: string): Promise<{ head: number; resources: Record<string, Json[]>; digests: Record<string, string> }> {
  const { loadSettings } = await import('../../apps/api/src/config');
  const { startEmbedded } = await import('../../apps/api/src/embedded/start-embedded');
  const running = await startEmbedded(
    loadSettings({ CP_PORT: '0', CP_DATA_DIR: dataDir, CP_LOG_LEVEL: 'silent', CP_SQLITE_SYNCHRONOUS: 'NORMAL', ...quiet }),
  );
  try {
    const api = client(`http://127.0.0.1:${running.port}`);
    const l2 = running.app.get(L2popRuntime, { strict: false });
    const l3 = running.app.get(L3Runtime, { strict: false });
    const dhcp = running.app.get(DhcpRuntime, { strict: false });
    await l3.settle();
    const head = await running.ws.store.headPosition();
    await eventually(() => Promise.resolve([l2.projector!, dhcp.projector!].every((p) => p.checkpoint >= head)));
    const resources: Record<string, Json[]> = {};
    for (const kind of ['networks', 'subnets', 'ports', 'routers', 'security-groups', 'floatingips']) {
      const list = ok(await api.get(`/v2.0/${kind}`), 200)[kind.replace('-', '_')] as Json[];
      resources[kind] = [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
    }
    return {
      head,
      resources,
      digests: {
        l2: await l2.projection.digest(l2.db),
        l3: await l3.projection.digest(l3.options.db),
        dhcp: await dhcp.projection.digest(dhcp.options.db),
      },
    };
  } finally {
    await running.close();
  }
}

test('a backup taken under write load restores to exactly the state at its position, read models rebuilt and verified', async () => {
  const work = mkdtempSync(join(tmpdir(), 'cp-backup-'));
  const cp = await startInProcess(quiet);
  try {
    const api = cp.api;
    ok(await api.put(`/v1/agents/${encodeURIComponent('Open vSwitch agent')}/compute-1`, { tunnel_ip: '198.18.0.1' }), 200);
    ok(await api.put(`/v1/agents/${encodeURIComponent('Open vSwitch agent')}/compute-2`, { tunnel_ip: '198.18.0.2' }), 200);
    ok(await api.put(`/v1/agents/${encodeURIComponent('DHCP agent')}/net-1`, {}), 200);
    const net = ok(await api.post('/v2.0/networks', { network: { name: 'load' } }), 201).network;
    ok(await api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.9.0.0/20', ip_version: 4 } }), 201);

    // Three writers: ports created, bound, reported up, renamed, some deleted.
    let stop = false;
    let written = 0;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const host = `compute-${1 + ((w + i) % 2)}`;
        const port = ok(await api.post('/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': host } }), 201).port;
        ok(await api.post(`/v1/hosts/${host}/ports/${port.id}/up`), 200);
        ok(await api.put(`/v2.0/ports/${port.id}`, { port: { name: `w${w}-${i}` } }), 200);
        if (i % 3 === 0) expect((await api.del(`/v2.0/ports/${port.id}`)).status).toBe(204);
        written++;
      }
    };
    const writers = [0, 1, 2].map(writer);
    await eventually(() => Promise.resolve(written >= 30));

    const file = join(work, 'events.backup');
    const backup = await run('backup', '--data-dir', cp.dataDir, '--to', file);
    expect(backup).toMatchObject({ code: 0, err: '' });
    const position = Number(/up to position (\d+)/.exec(backup.out)![1]);
    await eventually(() => Promise.resolve(written >= 60)); // the load went on past the backup
    stop = true;
    await Promise.all(writers);
    expect(await cp.head()).toBeGreaterThan(position);
    // Refusals: the backup never overwrites, restore never goes into a used data directory, rebuild never beside a server.
    expect(await run('rebuild', '--data-dir', cp.dataDir)).toMatchObject({
      code: 1,
      err: expect.stringContaining('another control plane'),
    });
    expect((await run('backup', '--data-dir', cp.dataDir, '--to', file)).code).toBe(1);
    expect(await run('restore', '--from', file, '--data-dir', cp.dataDir)).toMatchObject({
      code: 1,
      err: expect.stringContaining('already has an event store'),
    });

    // The reference: the live log (copied after the load), cut at the backup's position.
    const reference = join(work, 'reference');
    mkdirSync(reference);
    await backupSqlite(join(cp.dataDir, 'events.sqlite'), join(reference, 'events.sqlite'));
    const cut = new BetterSqlite3(join(reference, 'events.sqlite'));
    cut.prepare('DELETE FROM events WHERE position > ?').run(position);
    cut.prepare("DELETE FROM checkpoints WHERE projection = 'inline-models'").run(); // the inline models rebuild from the cut log
    cut.close();

    const restored = join(work, 'restored');
    const restore = await run('restore', '--from', file, '--data-dir', restored);
    expect(restore).toMatchObject({ code: 0, err: '' });
    for (const model of ['l2', 'l3', 'dhcp'])
      expect(restore.out).toMatch(new RegExp(`^${model}: rebuilt to position ${position} .*verified`, 'm'));
    expect((await run('verify', '--data-dir', restored)).code).toBe(0);

    const [fromBackup, expected] = [await observe(restored), await observe(reference)];
    expect(fromBackup.head).toBe(position);
    expect(fromBackup.resources.ports.length).toBeGreaterThan(10);
    expect(fromBackup).toEqual(expected);
  } finally {
    await cp.close();
    removeDir(work);
  }
});
