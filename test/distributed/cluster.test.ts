/**
 * Distributed mode end to end, on real processes from dist/, the shared broker
 * and PostgreSQL: one API (relay on, agent reads forwarded), three l2pop-projector
 * instances in one consumer group, one l3-scheduler, one dhcp-projector. The processes are reused
 * across the tests below, which run in order.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReferenceAgent } from '../../apps/l2pop-projector/src/agent/agent';
import { L2popProjection } from '../../apps/l2pop-projector/src';
import { L3Projection } from '../../apps/l3-scheduler/src';
import { DhcpProjection } from '../../apps/dhcp-projector/src';
import { EventStore, openDatabase } from '@cp/store';
import { client } from '../support/control-plane';
import { Cluster } from './support/cluster';
import { ENTRY, freePort, spawnProc, waitFor, type Proc } from './support/processes';
import { copyEventStore, SingleInstance } from './support/reference';
import { addPorts, addRouter, churn, setUp, type Topology } from './support/scenario';

const skip = (process.env.KAFKA_UNAVAILABLE === '1' || process.env.PG_UNAVAILABLE === '1') && process.env.CI !== 'true';
const describeDist = skip ? describe.skip : describe;

const metricSum = async (url: string, name: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
};

describeDist('distributed mode: API, l2pop-projector x3, l3-scheduler, dhcp-projector as processes', () => {
  let cluster: Cluster;
  let api: Proc;
  let l2: Proc[];
  let l3: Proc;
  let dhcp: Proc;
  let topo: Topology;
  let single: SingleInstance;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    cluster = new Cluster(process.env.KAFKA_BROKERS!, 'cluster');
    const [l2Port, l3Port, dhcpPort] = [await freePort(), await freePort(), await freePort()];
    api = await cluster.startApi({
      CP_L2POP_URL: `http://127.0.0.1:${l2Port}`,
      CP_L3_URL: `http://127.0.0.1:${l3Port}`,
      CP_DHCP_URL: `http://127.0.0.1:${dhcpPort}`,
    });
    // l2[0] is the one the API forwards to; l2[1] is the victim below.
    l2 = await Promise.all([cluster.startL2pop({ CP_PORT: String(l2Port) }), cluster.startL2pop(), cluster.startL2pop()]);
    l3 = await cluster.startL3({ CP_PORT: String(l3Port) });
    dhcp = await cluster.startDhcp({ CP_PORT: String(dhcpPort) });
    await cluster.connect();
  }, 90_000);

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await single?.stop().catch(() => undefined);
    await cluster?.stop();
  }, 60_000);

  it('one of three l2pop instances SIGKILLed mid-stream and another started: same digests as a single instance, nothing applied twice', async () => {
    const http = client(api.url);
    topo = await setUp(http);
    await addPorts(http, topo, 0, 24);
    const victim = l2[1];
    await waitFor(
      'the victim to apply events',
      async () => (await metricSum(victim.url, 'controlplane_projector_applied_events_total')) > 0,
      30_000,
    );
    // Mid-stream: writes go on while the victim dies and its replacement joins.
    const writing = (async () => {
      await addPorts(http, topo, 24, 24);
      await churn(http, topo, 5);
      await addRouter(http, topo);
      await churn(http, topo, 11);
    })();
    await victim.kill('SIGKILL');
    l2.push(await cluster.startL2pop());
    await writing;
    await cluster.settle();

    single = await SingleInstance.start(cluster);
    const live = await cluster.digests();
    expect(live).toEqual(await single.digests());
    const l2Handled = await cluster.handledEvents(new L2popProjection(cluster.read));
    expect(await cluster.appliedLog('l2pop')).toEqual({ rows: l2Handled, distinct: l2Handled });
    const l3Handled = await cluster.handledEvents(new L3Projection(cluster.read));
    expect(await cluster.appliedLog('l3')).toEqual({ rows: l3Handled, distinct: l3Handled });
    // The router was scheduled on the three network nodes through the event store.
    const agents = (await http.get(`/v2.0/routers/${topo.router}/l3-agents`)).body!.agents as Array<{ host: string }>;
    expect(agents.map((a) => a.host).sort()).toEqual(['net-1', 'net-2', 'net-3']);
    const dhcpHandled = await cluster.handledEvents(new DhcpProjection(cluster.read));
    expect(await cluster.appliedLog('dhcp')).toEqual({ rows: dhcpHandled, distinct: dhcpHandled });
    // Each tenant network is served by one of the DHCP agents; the API forwards the agent's read to the dhcp-projector.
    const served = new Map<string, string>();
    for (const host of ['net-1', 'net-2', 'net-3']) {
      const doc = (await http.get(`/v1/hosts/${host}/dhcp`)).body!;
      for (const [id, n] of Object.entries(doc.networks as Record<string, { hosts: unknown[] }>)) {
        served.set(id, host);
        expect(n.hosts.length).toBeGreaterThan(1); // its ports' addresses, the DHCP port's among them
      }
    }
    expect([...served.keys()].sort()).toEqual([...topo.networks].sort());
    expect((await fetch(`${dhcp.url}/readyz`)).status).toBe(200);
  });

  it('the same event history through embedded mode gives identical read-model digests', async () => {
    const head = await cluster.settle();
    const { dir, head: copied } = await copyEventStore(cluster);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    expect(copied).toBe(head);
    // Ready with a max lag of 0 means every in-process projector and the scheduler hold the whole history.
    const embedded = await spawnProc('embedded', ENTRY.api, {
      CP_DATA_DIR: dir,
      CP_READY_MAX_LAG: '0',
      CP_SQLITE_SYNCHRONOUS: 'NORMAL',
      CP_AGENT_DOWN_TIME: '600',
    });
    cleanups.push(() => void embedded.kill('SIGKILL'));
    await waitFor('embedded mode to be ready', async () => (await fetch(`${embedded.url}/readyz`)).status === 200, 60_000);
    expect(await embedded.kill('SIGTERM')).toBe(0); // graceful: closes the app, projectors and databases, exits 0
    const sqlite = async (file: string) => openDatabase({ kind: 'sqlite', path: join(dir, file) }, []);
    const [l2db, l3db, dhcpDb, eventsDb] = [
      await sqlite('l2pop.sqlite'),
      await sqlite('l3.sqlite'),
      await sqlite('dhcp.sqlite'),
      await sqlite('events.sqlite'),
    ];
    try {
      const live = await cluster.digests();
      expect({
        l2: await new L2popProjection(l2db).digest(l2db),
        l3: await new L3Projection(l3db).digest(l3db),
        dhcp: await new DhcpProjection(dhcpDb).digest(dhcpDb),
      }).toEqual(live);
      // Replaying recorded decisions decides nothing again: the embedded scheduler appended nothing.
      expect(Number((await eventsDb.get<{ p: number }>('SELECT MAX(position) AS p FROM events'))!.p)).toBe(head);
    } finally {
      for (const db of [l2db, l3db, dhcpDb, eventsDb]) await db.close();
    }
  });

  it('the API SIGKILLed and restarted continues from the event store; an agent watching through it resumes from its revision', async () => {
    const agent = new ReferenceAgent({
      server: api.url,
      host: 'compute-1',
      tunnelIp: '10.0.0.11',
      heartbeatSeconds: 60,
      log: () => undefined,
    });
    cleanups.push(() => agent.stop());
    await agent.start();
    expect(agent.stats.snapshots).toBe(1);
    const headBefore = await cluster.settle();

    await api.kill('SIGKILL');
    api = await cluster.startApi({ CP_PORT: String(api.port), CP_L2POP_URL: l2[0].url, CP_L3_URL: l3.url, CP_DHCP_URL: dhcp.url });
    const http = client(api.url);
    await addPorts(http, topo, 48, 12); // compute-1 gets some: its agent must see them
    const head = await cluster.settle();
    expect(head).toBeGreaterThan(headBefore);
    // Positions may have holes (a writer that lost a conflict, or died with the API, gives its positions up),
    // but nothing the killed API held in flight holds readers back: they read up to the last event.
    const positions = await cluster.events.get<{ max: string }>('SELECT MAX(position) AS max FROM events');
    expect(await new EventStore(cluster.events).headPosition()).toBe(Number(positions!.max));
    expect((await new EventStore(cluster.events).readAll(0, 100_000)).length).toBe(
      Number((await cluster.events.get<{ n: string }>('SELECT COUNT(*) AS n FROM events'))!.n),
    );

    const server = l2[2].url; // any instance answers from the shared model
    await waitFor(
      'the agent to reach the server revision',
      async () => {
        const doc = (await (await fetch(`${server}/v1/hosts/compute-1/l2`)).json()) as { revision: string };
        return agent.view?.revision === doc.revision;
      },
      30_000,
    );
    expect(agent.view).toEqual(await (await fetch(`${server}/v1/hosts/compute-1/l2`)).json());
    expect(agent.stats.snapshots).toBe(1); // resumed by revision: no resync
    expect(agent.stats.deltas).toBeGreaterThan(0);

    // Live again: a change committed by whichever instance holds its partition reaches the agent in
    // seconds, though watch polling is at 60 s here (instances wake each other over NOTIFY).
    await addPorts(http, topo, 60, 3);
    await cluster.settle();
    const expected = (await (await fetch(`${server}/v1/hosts/compute-1/l2`)).json()) as { revision: string };
    await waitFor('the agent to see the new ports', () => agent.view?.revision === expected.revision, 10_000);
    expect(agent.stats.snapshots).toBe(1);
  });

  it('a cold rebuild of every read model from offset 0 matches the live one', async () => {
    await cluster.settle();
    const live = await cluster.digests();
    expect(await single.rebuild()).toEqual(live);
    const l2Handled = await cluster.handledEvents(new L2popProjection(cluster.read));
    expect(await cluster.appliedLog('l2pop')).toEqual({ rows: l2Handled, distinct: l2Handled });
  });

  it('serves /healthz, /readyz and /metrics on every process, logs JSON, and each shuts down gracefully on SIGTERM', async () => {
    for (const p of [api, l2[0], l3, dhcp]) {
      expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${p.url}/readyz`);
      expect([p.name, ready.status]).toEqual([p.name, 200]);
    }
    const names = async (p: Proc) =>
      (await (await fetch(`${p.url}/metrics`)).text())
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .map((l) => l.split(/[{ ]/)[0]);
    expect(await names(api)).toEqual(
      expect.arrayContaining([
        'controlplane_http_request_duration_seconds_bucket',
        'controlplane_relay_lag_events',
        'controlplane_relay_published_events_total',
        'process_cpu_seconds_total',
      ]),
    );
    for (const p of [l2[0], l3, dhcp]) {
      expect(await names(p)).toEqual(
        expect.arrayContaining([
          'controlplane_projector_lag_events',
          'controlplane_projector_applied_events_total',
          'controlplane_http_request_duration_seconds_count',
        ]),
      );
    }
    const metrics = await (await fetch(`${l2[0].url}/metrics`)).text();
    expect(metrics).toMatch(/controlplane_projector_lag_events\{projection="l2pop",partition="0"\} 0/);
    expect(metrics).toMatch(/^controlplane_projector_lag_seconds\{projection="l2pop"\} 0$/m);
    expect(metrics).toMatch(/controlplane_http_request_duration_seconds_count\{route="\/v1\/hosts\/:host\/l2",method="GET",status="200"\}/);
    // The L2 instances served batches from the networks' and sets' state they keep in memory.
    let hits = 0;
    for (const p of l2.filter((p) => p !== l2[1])) {
      const text = await (await fetch(`${p.url}/metrics`)).text();
      hits += Number(/^controlplane_l2pop_hot_state_reads_total\{result="hit"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      expect(text).toMatch(/^controlplane_l2pop_hot_state_rows \d+$/m);
      expect(text).toMatch(/^controlplane_l2pop_hot_state_max_rows 200000$/m); // CP_L2_HOT_ROWS
    }
    expect(hits).toBeGreaterThan(0);
    for (const line of api.output().split('\n').filter(Boolean))
      expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });

    // SIGTERM: each process closes in order and exits 0 (the agent's watch stream through the API is still open).
    for (const p of [l2[2], l3, dhcp, api]) {
      const began = Date.now();
      expect([p.name, await p.kill('SIGTERM')]).toEqual([p.name, 0]);
      expect(Date.now() - began).toBeLessThan(8_000);
      expect(p.output()).toMatch(/shutdown complete/);
    }
  });
});
