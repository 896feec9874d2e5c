/**
 * The broker stopped and restarted in the middle of a run (a broker of its own:
 * stopping the shared one would break the files beside this one). The API keeps
 * accepting writes while Kafka is down; once the broker is back on the same port
 * and data, the relay and both projector processes resume by themselves: the
 * read models equal the event store projected directly, each event applied once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { L2popProjection, openReadModel } from '../../apps/l2pop-projector/src';
import { L3Projection, openL3ReadModel } from '../../apps/l3-scheduler/src';
import { DhcpProjection, openDhcpReadModel } from '../../apps/dhcp-projector/src';
import { EventStore, StoreProjector } from '@cp/store';
import { client } from '../support/control-plane';
import { type KafkaBroker, startKafka } from '../support/kafka-broker';
import { Cluster } from './support/cluster';
import { waitFor, type Proc } from './support/processes';
import { addPorts, addRouter, churn, setUp } from './support/scenario';

const skip = (process.env.KAFKA_UNAVAILABLE === '1' || process.env.PG_UNAVAILABLE === '1') && process.env.CI !== 'true';
const describeDist = skip ? describe.skip : describe;

describeDist('distributed mode survives a broker outage', () => {
  let broker: KafkaBroker | undefined;
  let cluster: Cluster | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dist-broker-'));

  afterAll(async () => {
    await cluster?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('loses nothing: relay and consumers resume after the broker is back', async () => {
    broker = await startKafka();
    const { port, dataDir } = broker;
    cluster = new Cluster(broker.brokers, 'broker', 4);
    const api: Proc = await cluster.startApi();
    const [l2, l3, dhcp] = await Promise.all([cluster.startL2pop(), cluster.startL3(), cluster.startDhcp()]);
    await cluster.connect();
    const http = client(api.url);
    const topo = await setUp(http);
    await addPorts(http, topo, 0, 12);
    await cluster.settle();

    await broker.stop({ keepData: true });
    // Writes stay durable in the event store while Kafka is away.
    await addPorts(http, topo, 12, 12);
    await addRouter(http, topo);
    await waitFor('the projectors to report themselves unready', async () => (await fetch(`${l2.url}/readyz`)).status === 503, 30_000);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200); // the relay is not critical: the API keeps serving

    broker = await startKafka({ port, dataDir });
    await churn(http, topo, 3);
    const head = await cluster.settle(90_000);
    for (const p of [api, l2, l3, dhcp])
      await waitFor(`${p.name} ready again`, async () => (await fetch(`${p.url}/readyz`)).status === 200, 30_000);
    expect(await (await fetch(`${api.url}/metrics`)).text()).toMatch(/^controlplane_relay_lag_events 0$/m);

    // The reference: the event store projected directly, no Kafka in between.
    const store = new EventStore(cluster.events);
    const direct = {
      l2: await openReadModel({ kind: 'sqlite', path: join(dir, 'l2.sqlite') }),
      l3: await openL3ReadModel({ kind: 'sqlite', path: join(dir, 'l3.sqlite') }),
      dhcp: await openDhcpReadModel({ kind: 'sqlite', path: join(dir, 'dhcp.sqlite') }),
    };
    const refs = {
      l2: new StoreProjector(store, direct.l2, new L2popProjection(direct.l2)),
      l3: new StoreProjector(store, direct.l3, new L3Projection(direct.l3)),
      dhcp: new StoreProjector(store, direct.dhcp, new DhcpProjection(direct.dhcp)),
    };
    try {
      for (const ref of Object.values(refs)) await ref.start();
      expect(Math.min(...Object.values(refs).map((r) => r.checkpoint))).toBe(head);
      expect(await cluster.digests()).toEqual({
        l2: await refs.l2.projection.digest(direct.l2),
        l3: await refs.l3.projection.digest(direct.l3),
        dhcp: await refs.dhcp.projection.digest(direct.dhcp),
      });
      for (const { projection } of Object.values(refs)) {
        const handled = await cluster.handledEvents(projection);
        expect(await cluster.appliedLog(projection.name)).toEqual({ rows: handled, distinct: handled });
      }
    } finally {
      for (const ref of Object.values(refs)) await ref.stop();
      for (const db of Object.values(direct)) await db.close(); // an open SQLite pool would keep jest from exiting
    }
  }, 200_000);
});
