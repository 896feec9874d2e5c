import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, spawnControlPlane, waitIdle } from '../lib/control-plane';
import { startKeystone } from '../lib/keystone';
import { Growth, setupEvents } from '../scenario/generate';
import { buildLayout } from '../scenario/layout';
import { prepopulate } from '../scenario/prepopulate';
import { Rng } from '../scenario/rng';
import { level, type ApiLevel } from './api-level';

export interface AuthOptions {
  ports: number;
  concurrency: number[];
  ops: number;
  rounds: number;
  levelSeconds: number;
}

export interface AuthFigures {
  ports: number;
  /** ops/s of every round, per mode and concurrency. */
  rounds: Array<{ mode: 'noauth' | 'keystone'; concurrency: number; opsPerSecond: number; p99CreateMs: number; errors: number }>;
  /** Median ops/s per concurrency, and keystone's as a share of noauth's. */
  summary: Array<{ concurrency: number; noauth: number; keystone: number; ratio: number }>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The cost of Keystone mode: the API benchmark's port lifecycle (create, bind, up) on one cloud,
 * served with noauth and with Keystone tokens (validated against a real Keystone, then cached),
 * in alternating rounds so that both see the same machine state.
 */
export async function runAuth(o: AuthOptions, log: (s: string) => void): Promise<{ figures: AuthFigures; notes: string[] }> {
  const layout = buildLayout({
    seed: 42,
    hosts: 200,
    // Room for every round's new ports: a subnet that fills up would turn lifecycles into errors.
    networks: Math.max(200, Math.round(o.ports / 5)),
    networkNodes: 6,
    networksPerProject: 3,
    routerRatio: 0,
    maxSpan: 48,
  });
  const rng = new Rng(7);
  const growth = new Growth(layout, rng);
  const dataDir = mkdtempSync(join(tmpdir(), 'cp-bench-auth-'));
  const ks = await startKeystone();
  const rounds: AuthFigures['rounds'] = [];
  try {
    await prepopulate(dataDir, setupEvents(layout));
    await prepopulate(
      dataDir,
      (function* () {
        yield* growth.grow(o.ports);
        yield* growth.flush();
      })(),
    );
    await ks.user('neutron', 'neutron-pw', 'service', ['service']);
    // The bench binds ports and reports them up: it acts as admin (and so for every host).
    const token = await ks.token('admin', ks.adminPassword, 'admin');
    const keystoneEnv = {
      CP_AUTH_STRATEGY: 'keystone',
      CP_KEYSTONE_URL: ks.url,
      CP_KEYSTONE_USERNAME: 'neutron',
      CP_KEYSTONE_PASSWORD: 'neutron-pw',
    };
    for (let round = 0; round < o.rounds; round++) {
      // The cloud grows with every level: alternate which mode goes first, so neither always meets the bigger one.
      const order = round % 2 === 0 ? (['noauth', 'keystone'] as const) : (['keystone', 'noauth'] as const);
      for (const mode of order) {
        const cp = await spawnControlPlane({
          dataDir,
          env: { CP_SQLITE_SYNCHRONOUS: 'NORMAL', ...(mode === 'keystone' ? keystoneEnv : {}) },
        });
        try {
          await waitIdle(cp.child.pid!);
          const headers: Record<string, string> = mode === 'keystone' ? { 'x-auth-token': token } : {};
          await level(cp, layout, 4, { ...o, ops: 30, headers }, rng); // warm-up
          await waitIdle(cp.child.pid!);
          for (const c of o.concurrency) {
            const l: ApiLevel = await level(cp, layout, c, { ...o, headers }, rng);
            rounds.push({ mode, concurrency: c, opsPerSecond: l.opsPerSecond, p99CreateMs: l.latencyMs.create.p99, errors: l.errors });
            log(
              `auth round ${round + 1} ${mode} c=${c}: ${l.opsPerSecond} ops/s, p99 create ${l.latencyMs.create.p99} ms${l.errors ? `, ${l.errors} errors` : ''}`,
            );
            await waitIdle(cp.child.pid!);
          }
        } finally {
          await cp.stop();
        }
      }
    }
  } finally {
    ks.stop();
    removeDir(dataDir);
  }
  const summary = o.concurrency.map((concurrency) => {
    const of = (mode: string) => median(rounds.filter((r) => r.mode === mode && r.concurrency === concurrency).map((r) => r.opsPerSecond));
    const noauth = of('noauth');
    const keystone = of('keystone');
    return { concurrency, noauth, keystone, ratio: Math.round((keystone / noauth) * 1000) / 1000 };
  });
  return {
    figures: { ports: o.ports, rounds, summary },
    notes: [
      'Each request carries an admin token; the control plane validates it with Keystone once and then answers from its cache (CP_KEYSTONE_CACHE_TTL_S, 60 s by default).',
      'Rounds alternate noauth and keystone on the same data directory (which goes first alternates too, as the cloud grows with each level); the summary is the median per concurrency.',
    ],
  };
}
