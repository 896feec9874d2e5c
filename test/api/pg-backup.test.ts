/*
 * The documented backup of distributed mode: `pg_dump` of the event store's
 * schema while the API writes, restored into a new database. The copy is one
 * consistent snapshot: its events are exactly a prefix of the live log (no
 * gap, no torn transaction), `controlplane events` reads it, and an API
 * started on it serves what that prefix says.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildDist } from '../support/build-dist';
import { eventually, expectStatus as ok, removeDir, runControlplane, startInProcess, type Json } from '../support/control-plane';
import { PG_URL } from '../distributed/support/processes';

const exec = promisify(execFile);
const PG = ['-h', '127.0.0.1', '-p', '5432', '-U', 'postgres'];
const skip = process.env.PG_UNAVAILABLE === '1' && process.env.CI !== 'true';

beforeAll(buildDist, 120_000);

(skip ? test.skip : test)(
  'pg_dump of the event store under write load restores to a consistent prefix of the log',
  async () => {
    const id = `${process.pid}_${Date.now()}`;
    const schema = `backup_${id}`;
    const restoredDb = `cp_restored_${id}`;
    const work = mkdtempSync(join(tmpdir(), 'cp-pgdump-'));
    const live = await startInProcess({
      CP_EVENT_STORE_URL: PG_URL,
      CP_EVENT_STORE_SCHEMA: schema,
      CP_LOG_LEVEL: 'error',
      CP_AGENT_DOWN_TIME: '600',
    });
    let restored: Awaited<ReturnType<typeof startInProcess>> | null = null;
    try {
      const api = live.api;
      let stop = false;
      let written = 0;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const net = ok(await api.post('/v2.0/networks', { network: { name: `w${w}-${i}` } }), 201).network;
          if (i % 4 === 0) expect((await api.del(`/v2.0/networks/${net.id}`)).status).toBe(204);
          written++;
        }
      };
      const writers = [0, 1].map(writer);
      await eventually(() => Promise.resolve(written >= 20));
      const file = join(work, 'events.dump');
      await exec('pg_dump', [...PG, '-d', 'test', `--schema=${schema}`, '-Fc', '-f', file]);
      await eventually(() => Promise.resolve(written >= 40)); // the load went on past the dump
      stop = true;
      await Promise.all(writers);

      await exec('createdb', [...PG, restoredDb]);
      await exec('pg_restore', [...PG, '-d', restoredDb, file]);
      const restoredUrl = PG_URL.replace(/\/test$/, `/${restoredDb}`);
      const read = async (url: string) => {
        const run = await runControlplane([
          'events',
          '--event-store-url',
          url,
          '--event-store-schema',
          schema,
          '--limit',
          '1000',
          '--json',
        ]);
        expect(run).toMatchObject({ code: 0, err: '' });
        return run.out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Json);
      };
      const [all, copy] = [await read(PG_URL), await read(restoredUrl)];
      expect(copy.length).toBeGreaterThan(20);
      expect(copy.length).toBeLessThan(all.length);
      expect(copy).toEqual(all.slice(0, copy.length)); // a prefix: every event up to the copy's last, none after

      // An API on the copy serves what its prefix says.
      restored = await startInProcess({ CP_EVENT_STORE_URL: restoredUrl, CP_EVENT_STORE_SCHEMA: schema, CP_LOG_LEVEL: 'error' });
      const alive = new Set(copy.filter((e) => e.type === 'NetworkCreated').map((e) => e.resource_id as string));
      for (const e of copy) if (e.type === 'NetworkDeleted') alive.delete(e.resource_id as string);
      const served = ok(await restored.api.get('/v2.0/networks?fields=id'), 200).networks as Json[];
      expect(new Set(served.map((n) => n.id as string))).toEqual(alive);
    } finally {
      await restored?.close();
      await live.running.ws.db.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await live.close();
      await exec('dropdb', [...PG, '--if-exists', restoredDb]).catch(() => undefined);
      removeDir(work);
    }
  },
  120_000,
);
