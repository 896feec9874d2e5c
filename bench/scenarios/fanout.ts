import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '@cp/events';
import { EventStore, EventTable, openDatabase } from '@cp/store';
import { L2popRuntime, openReadModel } from '../../apps/l2pop-projector/src/runtime';
import { removeDir } from '../lib/control-plane';
import { round, summarise, type Summary } from '../lib/stats';
import { portActivated, portCreated, type Stamped } from '../scenario/bodies';
import { bulkLoad } from '../scenario/bulk-load';
import { Growth, setupEvents } from '../scenario/generate';
import { buildLayout, sizeWeightedPicker } from '../scenario/layout';
import { Rng } from '../scenario/rng';
import { neutronPortUp } from './fanout-baseline';

export interface FanoutOptions {
  hosts: number[];
  /** Tenant networks, the same at every H. */
  networks: number;
  samples: number;
}
export interface FanoutSize {
  hosts: number;
  networks: number;
  ports: number;
  setupSeconds: number;
  /** Per port-up (PortActivated): hosts woken and SSE bytes they receive. */
  portUp: { notifications: Summary; bytes: Summary };
  /** Neutron l2pop for the same port-ups. */
  baseline: { notifications: Summary; bytes: Summary };
  /** The create (bound at creation) before each up: ipset membership changes, our side only. */
  create: { notifications: Summary; bytes: Summary };
}
export interface FanoutFigures {
  sizes: FanoutSize[];
}

let seq = 0;
const ctx = (): CommandContext => ({
  projectId: 'bench',
  actor: 'bench',
  requestId: `req-fanout-${++seq}`,
  causationId: null,
  now: '2025-01-02T00:00:00.000Z',
  isAdmin: true,
});

/**
 * Projects a cloud of H hosts in-process, then for sampled port-ups counts the
 * hosts the projection wakes and the bytes each one's watch stream carries (the
 * same change document the SSE session sends, framed as it frames it), against
 * what Neutron's l2pop fan-out sends for the same port-up.
 */
export async function runFanout(o: FanoutOptions, log: (s: string) => void): Promise<{ figures: FanoutFigures; notes: string[] }> {
  const sizes: FanoutSize[] = [];
  for (const hosts of o.hosts) {
    const dir = mkdtempSync(join(tmpdir(), 'cp-bench-fanout-'));
    // The same networks (sizes, host spans, ports, groups) at every H; only the cloud around them grows.
    // Growing the networks with H instead lets a handful of large ones dominate small clouds by chance.
    const layout = buildLayout({
      seed: 42,
      hosts,
      networks: o.networks,
      networkNodes: 0,
      networksPerProject: 3,
      routerRatio: 0,
      maxSpan: 48,
    });
    const growth = new Growth(layout, new Rng(5));
    await bulkLoad(
      join(dir, 'events.sqlite'),
      (function* () {
        yield* setupEvents(layout);
        yield* growth.grow(Infinity);
        yield* growth.flush();
      })(),
    );
    const eventsDb = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }, [EventTable]);
    const store = new EventStore(eventsDb);
    const db = await openReadModel({ kind: 'sqlite', path: join(dir, 'l2pop.sqlite'), synchronous: 'NORMAL' });
    const runtime = new L2popRuntime({ db, store });
    const t0 = Date.now();
    await runtime.start();
    const setupSeconds = (Date.now() - t0) / 1000;

    const revs = new Map<string, string>();
    for (const h of layout.hosts) revs.set(h.name, await runtime.feed.revision(h.name));
    let woken: Array<{ host: string; since: string }> = [];
    runtime.feed.hub.tap((host) => woken.push({ host, since: revs.get(host)! }));
    /** Appends, projects, and prices what the watch streams of the woken hosts carry. */
    const apply = async (events: Stamped[]) => {
      woken = [];
      const stored = await store.transaction((tx) =>
        store.append(
          events.map((e) => ({ streamId: e.streamId, expectedVersion: 'any' as const, events: [e.body] })),
          ctx(),
          tx,
        ),
      );
      await runtime.projector!.waitFor(stored[stored.length - 1].metadata.position!);
      let bytes = 0;
      for (const { host, since } of woken) {
        const doc = await runtime.feed.changes(host, since);
        bytes += Buffer.byteLength(`id: ${doc.revision}\ndata: ${JSON.stringify(doc)}\n\n`);
        revs.set(host, doc.revision);
      }
      return { notifications: woken.length, bytes };
    };

    const rng = new Rng(99);
    const pick = sizeWeightedPicker(layout, rng);
    const up = { n: [] as number[], b: [] as number[] };
    const base = { n: [] as number[], b: [] as number[] };
    const create = { n: [] as number[], b: [] as number[] };
    for (let i = 0; i < o.samples; i++) {
      const net = pick();
      const hostIndex = net.span[rng.int(net.span.length)];
      const host = layout.hosts[hostIndex];
      const spec = growth.factory.next(net, host.name);
      const c = await apply(portCreated(spec));
      create.n.push(c.notifications);
      create.b.push(c.bytes);
      const member = await db.get('SELECT 1 AS x FROM l2_members WHERE network_id = ? AND host = ? AND deleted = 0', [net.id, host.name]);
      const baseline = await neutronPortUp(db, {
        networkId: net.id,
        segmentationId: net.vni,
        host: host.name,
        tunnelIp: host.tunnelIp,
        mac: spec.mac,
        ip: spec.ip,
        l2Agents: layout.hosts.length,
        firstOnHost: !member,
      });
      const u = await apply([portActivated({ id: spec.id, networkId: net.id, projectId: spec.projectId }, host.name)]);
      up.n.push(u.notifications);
      up.b.push(u.bytes);
      base.n.push(baseline.notifications);
      base.b.push(baseline.bytes);
    }
    await runtime.stop();
    await db.close();
    await eventsDb.close();
    removeDir(dir);
    const size: FanoutSize = {
      hosts: layout.hosts.length,
      networks: layout.networks.length,
      ports: growth.live.length,
      setupSeconds,
      portUp: { notifications: summarise(up.n), bytes: summarise(up.b) },
      baseline: { notifications: summarise(base.n), bytes: summarise(base.b) },
      create: { notifications: summarise(create.n), bytes: summarise(create.b) },
    };
    sizes.push(size);
    log(
      `fanout ${hosts} hosts: per port-up ${size.portUp.notifications.mean} notifications / ${round(size.portUp.bytes.mean, 0)} B vs l2pop ${size.baseline.notifications.mean} / ${round(size.baseline.bytes.mean, 0)} B (setup ${setupSeconds}s)`,
    );
  }
  return {
    figures: { sizes },
    notes: [
      'Bytes are the change documents the watch stream sends (SSE framing included); the l2pop baseline counts RPC method and arguments only (no oslo.messaging envelope), so it understates Neutron.',
    ],
  };
}
