import { client, removeDir, spawnControlPlane } from '../support/control-plane';

/**
 * design.md §6.1: a 201 means the events are durable. Kill the real process with
 * SIGKILL the moment the 201 arrives, start it again on the same data directory,
 * and every acknowledged resource must be there.
 */
describe('durability across SIGKILL', () => {
  it('keeps every acknowledged resource after a hard kill and restart', async () => {
    const first = await spawnControlPlane();
    const api = client(first.url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.post('/v2.0/networks', { network: { name: `durable-${i}` } });
      expect(res.status).toBe(201);
      ids.push(res.body!.network.id);
    }
    await first.kill('SIGKILL');

    const second = await spawnControlPlane({ dataDir: first.dataDir });
    try {
      const again = client(second.url);
      for (const id of ids) {
        const res = await again.get(`/v2.0/networks/${id}`);
        expect(res.status).toBe(200);
      }
      const events = await again.get('/v1/events?type=NetworkCreated');
      expect(events.body!.events.map((e: { resource_id: string }) => e.resource_id)).toEqual(ids);
    } finally {
      await second.kill();
      removeDir(first.dataDir);
    }
  });
});
