/*
 * `controlplane events`: the change history read straight from the event store
 * (a stopped controller's, or PostgreSQL's), filtered as GET /v1/events is.
 */
import { buildDist } from '../support/build-dist';
import { client, expectStatus as ok, removeDir, runControlplane, spawnControlPlane } from '../support/control-plane';

beforeAll(buildDist, 120_000);

test('lists what happened to a resource after its controller stopped, as lines or JSON', async () => {
  const cp = await spawnControlPlane();
  try {
    const api = client(cp.url);
    const net = ok(await api.post('/v2.0/networks', { network: { name: 'audited' } }), 201).network;
    ok(await api.put(`/v2.0/networks/${net.id}`, { network: { name: 'renamed' } }), 200);
    ok(await api.post('/v2.0/networks', { network: { name: 'other' } }), 201);
    await cp.kill();

    const lines = await runControlplane(['events', '--data-dir', cp.dataDir, '--resource-id', net.id]);
    expect(lines.code).toBe(0);
    expect(
      lines.out
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[2]),
    ).toEqual(['NetworkCreated', 'NetworkUpdated']);
    expect(lines.out).toContain(`network/${net.id} by `);

    const json = await runControlplane(['events', '--data-dir', cp.dataDir, '--type', 'NetworkCreated', '--json']);
    const events = json.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: { name: string } });
    expect(events.map((e) => e.data.name)).toEqual(['audited', 'other']);

    const after = await runControlplane([
      'events',
      '--data-dir',
      cp.dataDir,
      '--after',
      String(JSON.parse(json.out.split('\n')[0]).position),
      '--limit',
      '1',
      '--json',
    ]);
    expect(JSON.parse(after.out).type).toBe('NetworkUpdated');
  } finally {
    await cp.kill();
    removeDir(cp.dataDir);
  }
});

test('a bad filter is a usage error (exit 2); a directory without a store is refused (exit 1), and nothing is created', async () => {
  const bad = await runControlplane(['events', '--data-dir', '/tmp', '--since', 'yesterday']);
  expect(bad.code).toBe(2);
  expect(bad.err).toMatch(/Invalid audit query: since/);
  const none = await runControlplane(['events', '--data-dir', '/tmp/cp-no-such-dir']);
  expect(none.code).toBe(1);
  expect(none.err).toMatch(/no event store in \/tmp\/cp-no-such-dir/);
});
