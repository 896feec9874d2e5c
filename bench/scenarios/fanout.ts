import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '@cp/events';
import { EventStore, EventTable, openDatabase } from '@cp/store';
import { L2popRuntime, openReadModel } from '../../apps/l2pop-projector/src/runtime';
import { removeDir } from '../lib/control-plane';
import { entriesCarried } from '../lib/delta-entries';
import { round, summarise, type Summary } from '../lib/stats';
import { portActivated, portCreated, type Stamped } from '../scenario/bodies';
import { bulkLoad } from '../scenario/bulk-load';
import { Growth, grownCloud } from '../scenario/generate';
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
  /** Per port-up (PortActivated): hosts woken and SSE bytes and entries they receive, as whole lists (the first delta format) and as entries. */
  portUp: Delivered;
  /** Neutron l2pop for the same port-ups. */
  baseline: { notifications: Summary; bytes: Summary };
  /** The create (bound at creation) before each up: ipset membership changes, our side only. */
  create: Delivered;
}
export interface Delivered {
  notifications: Summary;
  bytes: Summary;
  /** Absent from results recorded before entry deltas existed. */
  entries?: Summary;
  entryFormat?: { bytes: Summary; entries: Summary };
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
    await bulkLoad(join(dir, 'events.sqlite'), grownCloud(layout, growth));
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
      const sent = { notifications: woken.length, bytes: 0, entries: 0, entryBytes: 0, entryEntries: 0 };
      for (const { host, since } of woken) {
        const [lists, entries] = [await runtime.feed.changes(host, since, 'lists'), await runtime.feed.changes(host, since, 'entries')];
        sent.bytes += frameBytes(lists);
        sent.entries += entriesCarried(lists);
        sent.entryBytes += frameBytes(entries);
        sent.entryEntries += entriesCarried(entries);
        revs.set(host, lists.revision);
      }
      return sent;
    };

    const rng = new Rng(99);
    const pick = sizeWeightedPicker(layout, rng);
    const up = new Samples();
    const base = { n: [] as number[], b: [] as number[] };
    const create = new Samples();
    for (let i = 0; i < o.samples; i++) {
      const net = pick();
      const hostIndex = net.span[rng.int(net.span.length)];
      const host = layout.hosts[hostIndex];
      const spec = growth.factory.next(net, host.name);
      create.add(await apply(portCreated(spec)));
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
      up.add(await apply([portActivated({ id: spec.id, networkId: net.id, projectId: spec.projectId }, host.name)]));
      base.n.push(baseline.notifications);
      base.b.push(baseline.bytes);
    }
    await runtime.stop();
    await db.close();
    await eventsDb.close();
    removeDir(dir);
    const [u, c] = [up.summary(), create.summary()];
    const size: FanoutSize = {
      hosts: layout.hosts.length,
      networks: layout.networks.length,
      ports: growth.live.length,
      setupSeconds,
      portUp: u,
      baseline: { notifications: summarise(base.n), bytes: summarise(base.b) },
      create: c,
    };
    sizes.push(size);
    log(
      `fanout ${hosts} hosts: per port-up ${u.notifications.mean} notifications / ${round(u.bytes.mean, 0)} B (${round(u.entries.mean, 1)} entries) as lists, ` +
        `${round(u.entryFormat.bytes.mean, 0)} B (${round(u.entryFormat.entries.mean, 1)} entries) as entries vs l2pop ${size.baseline.notifications.mean} / ${round(size.baseline.bytes.mean, 0)} B; ` +
        `per create ${round(c.bytes.mean, 0)} B (${round(c.entries.mean, 1)}) as lists, ${round(c.entryFormat.bytes.mean, 0)} B (${round(c.entryFormat.entries.mean, 1)}) as entries (setup ${setupSeconds}s)`,
    );
  }
  return {
    figures: { sizes },
    notes: [
      'Bytes are the change documents the watch stream sends (SSE framing included); the l2pop baseline counts RPC method and arguments only (no oslo.messaging envelope), so it understates Neutron.',
      'Entries: FDB pairs, flood IPs and set members a delta carries, whole lists (?delta=lists, the first format) against entry deltas (?delta=entries), for the same change and hosts.',
    ],
  };
}

function frameBytes(doc: { revision: string }): number {
  return Buffer.byteLength(`id: ${doc.revision}\ndata: ${JSON.stringify(doc)}\n\n`);
}

/** Per operation: hosts woken, and what their streams carry in each delta format. */
class Samples {
  private readonly rows: Array<{ notifications: number; bytes: number; entries: number; entryBytes: number; entryEntries: number }> = [];

  add(row: Samples['rows'][number]): void {
    this.rows.push(row);
  }

  summary(): Required<Delivered> {
    const of = (k: keyof Samples['rows'][number]) => summarise(this.rows.map((r) => r[k]));
    return {
      notifications: of('notifications'),
      bytes: of('bytes'),
      entries: of('entries'),
      entryFormat: { bytes: of('entryBytes'), entries: of('entryEntries') },
    };
  }
}
