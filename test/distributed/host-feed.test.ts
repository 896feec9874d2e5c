/**
 * PgHostFeed on a real PostgreSQL: what one instance's projection commits wakes
 * the watchers of the other instances (and only theirs: no echo back), in
 * batches under NOTIFY's payload limit, and again after its connection dropped.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { HostHub, PgHostFeed } from '@cp/host-feed';
import { openDatabase } from '@cp/store';
import { PG_URL, waitFor } from './support/processes';

const skip = process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true';
const describePg = skip ? describe.skip : describe;

describePg("PgHostFeed: watchers hear about other instances' commits", () => {
  const channel = `cp_test_${randomUUID().slice(0, 8)}`;
  const log = pino({ level: 'silent' });
  const hubs = [new HostHub(), new HostHub()];
  const feeds = hubs.map((hub) => new PgHostFeed(PG_URL, channel, hub, log));
  const heard: Array<Array<[string, string]>> = [[], []];

  beforeAll(async () => {
    hubs.forEach((hub, i) => hub.subscribe('compute-1', (rev) => heard[i].push(['compute-1', rev])));
    for (const f of feeds) f.start();
    await waitFor('both feeds to listen', () => feeds.every((f) => (f as unknown as { client: unknown }).client !== null), 10_000);
  });
  afterAll(async () => {
    for (const f of feeds) await f.stop();
  });

  it('wakes the other instance once, never echoes back', async () => {
    hubs[0].notify(
      new Map([
        ['compute-1', '1-5'],
        ['compute-2', '1-9'],
      ]),
    );
    await waitFor('instance 2 to hear it', () => heard[1].length > 0, 5_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(heard[1]).toEqual([['compute-1', '1-5']]);
    expect(heard[0]).toEqual([['compute-1', '1-5']]); // its own local notification only
  });

  it('splits a large batch under the payload limit', async () => {
    const seen = new Set<string>();
    const untap = hubs[1].tap((host) => seen.add(host));
    hubs[0].notify(new Map(Array.from({ length: 2_000 }, (_, i) => [`host-${String(i).padStart(5, '0')}`, `1-${i}`])));
    await waitFor('all 2000 hosts on instance 2', () => seen.size === 2_000, 10_000);
    untap();
  });

  it('reconnects after its connection is killed', async () => {
    const admin = await openDatabase({ kind: 'postgres', url: PG_URL }, []);
    try {
      const killed = await admin.all('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?', [
        `controlplane-feed ${channel}`,
      ]);
      expect(killed).toHaveLength(2); // both instances lose their connection
    } finally {
      await admin.close();
    }
    await waitFor(
      'instance 2 to hear a commit after reconnecting',
      async () => {
        hubs[0].notify(new Map([['compute-1', `1-${Date.now()}`]]));
        await new Promise((r) => setTimeout(r, 200));
        return heard[1].length > 1;
      },
      15_000,
    );
  });
});
