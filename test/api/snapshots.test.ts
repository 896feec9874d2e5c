/*
 * Read-model snapshots in embedded mode: taken online (by the command, and by
 * the server every CP_SNAPSHOT_EVERY events), a rebuild starts from the newest
 * and replays only what follows, a model whose file is lost starts from it at
 * the next start, and verify still compares against a full replay.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../apps/api/src/cli/controlplane';
import { buildDist } from '../support/build-dist';
import { client, eventually, expectStatus as ok, removeDir, spawnControlPlane, type Json } from '../support/control-plane';

beforeAll(buildDist, 120_000);

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'controlplane', ...args], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

/** Agents on two hosts, a network with DHCP, a router, and `ports` ports bound and up. */
async function workload(api: ReturnType<typeof client>, ports: number, net?: Json): Promise<Json> {
  if (!net) {
    for (const [type, host, body] of [
      ['Open vSwitch agent', 'compute-1', { tunnel_ip: '198.18.0.1' }],
      ['Open vSwitch agent', 'compute-2', { tunnel_ip: '198.18.0.2' }],
      ['DHCP agent', 'net-1', {}],
      ['L3 agent', 'net-1', {}],
    ] as const)
      ok(await api.put(`/v1/agents/${encodeURIComponent(type)}/${host}`, body), 200);
    net = ok(await api.post('/v2.0/networks', { network: { name: 'snap' } }), 201).network as Json;
    ok(await api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.8.0.0/20', ip_version: 4 } }), 201);
    ok(await api.post('/v2.0/routers', { router: { name: 'r' } }), 201);
  }
  for (let i = 0; i < ports; i++) {
    const host = `compute-${1 + (i % 2)}`;
    const port = ok(await api.post('/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': host } }), 201).port;
    ok(await api.post(`/v1/hosts/${host}/ports/${port.id}/up`), 200);
  }
  return net;
}

test('snapshot online, rebuild from the newest snapshot, and a lost model file starts from it', async () => {
  const first = await spawnControlPlane({ env: { CP_SNAPSHOT_EVERY: '0' } });
  const dataDir = first.dataDir;
  try {
    const api = client(first.url);
    const net = await workload(api, 10);

    const snap = await run('snapshot', '--data-dir', dataDir);
    expect(snap.code).toBe(0);
    const at = Object.fromEntries([...snap.out.matchAll(/^(\w+): snapshot at position (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
    expect(Object.keys(at).sort()).toEqual(['dhcp', 'l2', 'l3']);
    expect(readdirSync(join(dataDir, 'snapshots', 'l2'))).toEqual([`${String(at.l2).padStart(12, '0')}.sqlite`]);

    await workload(api, 6, net); // past the snapshot
    const before = ok(await api.get('/v1/hosts/compute-1/l2'), 200);
    await first.kill();

    const rebuilt = await run('rebuild', '--data-dir', dataDir);
    expect(rebuilt.code).toBe(0);
    for (const model of ['l2', 'l3', 'dhcp'])
      expect(rebuilt.out).toMatch(new RegExp(`^${model}: rebuilt from snapshot at ${at[model]} to position \\d+`, 'm'));
    expect(await run('verify', '--data-dir', dataDir)).toMatchObject({ code: 0 });
    const scratch = await run('rebuild', '--data-dir', dataDir, '--model', 'l2', '--from-scratch');
    expect(scratch.out).toMatch(/^l2: rebuilt from position 0 to position \d+/m);

    // The L2 model's file is lost: the next start seeds it from the snapshot and catches up.
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `l2pop.sqlite${suffix}`), { force: true });
    // The DHCP model's file and snapshots are lost too: it rebuilds from position 0, saying so at start and end.
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `dhcp.sqlite${suffix}`), { force: true });
    rmSync(join(dataDir, 'snapshots', 'dhcp'), { recursive: true });
    const second = await spawnControlPlane({ dataDir, env: { CP_LOG_LEVEL: 'info', CP_SNAPSHOT_EVERY: '0' } });
    try {
      expect(second.output()).toContain(`l2 read model starts from its snapshot at position ${at.l2}`);
      expect(second.output()).toMatch(/dhcp read model: rebuilding from position 0 to \d+ \(it is empty\)/);
      expect(second.output()).toMatch(/dhcp read model: rebuilt to position \d+ in \d+ ms/);
      expect(second.output()).not.toMatch(/l2pop read model: rebuilding/);
      const after = ok(await client(second.url).get('/v1/hosts/compute-1/l2'), 200);
      // The same document, in a new epoch: an agent holding a revision of the lost timeline gets a resync.
      const { revision: was, ...content } = before;
      const { revision: now, ...restored } = after;
      expect(restored).toEqual(content);
      expect(Number(String(now).split('-')[0])).toBeGreaterThan(Number(String(was).split('-')[0]));
      const resumed = ok(await client(second.url).get(`/v1/hosts/compute-1/l2?since=${String(was)}`), 200);
      expect(resumed.resync).toBe(true);
      expect(await run('verify', '--data-dir', dataDir, '--model', 'l2')).toMatchObject({ code: 0 });
    } finally {
      await second.kill();
    }
  } finally {
    await first.kill();
    removeDir(dataDir);
  }
}, 120_000);

test('the server snapshots every CP_SNAPSHOT_EVERY events on its own, keeping the newest two', async () => {
  const cp = await spawnControlPlane({ env: { CP_LOG_LEVEL: 'info', CP_SNAPSHOT_EVERY: '20' } });
  try {
    const api = client(cp.url);
    const net = await workload(api, 10);
    await eventually(() => Promise.resolve(/snapshot of the l2 read model at position \d+/.test(cp.output())), 20_000);
    await workload(api, 15, net);
    await eventually(
      () => Promise.resolve(existsSync(join(cp.dataDir, 'snapshots/l2')) && readdirSync(join(cp.dataDir, 'snapshots/l2')).length === 2),
      20_000,
    );
    await workload(api, 15, net);
    await eventually(() => Promise.resolve((cp.output().match(/snapshot of the l2 read model/g) ?? []).length >= 3), 20_000);
    expect(readdirSync(join(cp.dataDir, 'snapshots/l2'))).toHaveLength(2);
  } finally {
    await cp.kill();
    removeDir(cp.dataDir);
  }
}, 120_000);
