/*
 * L2popModule embedded in the real API process (as the lead wires it), driven
 * the way a cloud is: reference agents register through PUT /v1/agents, ports
 * are made through /v2.0 and reported up through /v1/hosts/{host}/ports/{id}/up.
 */
import type { INestApplication } from '@nestjs/common';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadSettings } from '../../apps/api/src/config';
import { createHttpApp } from '../../apps/api/src/http-app';
import { eventStoreConfig, openWriteSide, type WriteSide } from '@cp/write-model';
import { ReferenceAgent } from '../../apps/l2pop-projector/src/agent/agent';
import { L2popModule } from '../../apps/l2pop-projector/src/http/l2pop.module';
import { L2popRuntime, openReadModel } from '../../apps/l2pop-projector/src/runtime';
import type { Database } from '@cp/store';
import type { Json } from '../support/control-plane';
import { tempDir } from './support/harness';
import { eventually } from './support/server';

let dir: string;
let ws: WriteSide;
let db: Database;
let app: INestApplication;
let url: string;
const agents: ReferenceAgent[] = [];

beforeAll(async () => {
  dir = tempDir();
  const settings = loadSettings({ CP_DATA_DIR: dir, CP_PORT: '0', CP_LOG_LEVEL: 'silent', CP_SQLITE_SYNCHRONOUS: 'NORMAL' });
  ws = await openWriteSide(eventStoreConfig(settings));
  db = await openReadModel({ kind: 'sqlite', path: join(dir, 'l2pop.sqlite'), synchronous: 'NORMAL' });
  app = await createHttpApp(ws, settings, [L2popModule.forRoot({ db, store: ws.store })]);
  await app.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const a of agents) await a.stop();
  await app.close();
  await db.close();
  await ws.db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: object) {
  const res = await fetch(url + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const json = (await res.json()) as Json;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

test("agents registered through the API see each other's ports and the default group's ipsets", async () => {
  for (const [host, ip] of [
    ['compute-1', '10.0.0.11'],
    ['compute-2', '10.0.0.12'],
  ]) {
    const agent = new ReferenceAgent({ server: url, host, tunnelIp: ip, heartbeatSeconds: 60, log: () => undefined });
    agents.push(agent);
    await agent.start();
  }
  const net = (await call('POST', '/v2.0/networks', { network: { name: 'n1' } })).network;
  await call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '192.168.7.0/24' } });
  const ports = [];
  for (const host of ['compute-1', 'compute-2']) {
    const port = (
      await call('POST', '/v2.0/ports', { port: { network_id: net.id, 'binding:host_id': host, device_owner: 'compute:nova' } })
    ).port;
    await call('POST', `/v1/hosts/${host}/ports/${port.id}/up`);
    ports.push(port);
  }
  const runtime = app.get(L2popRuntime);
  await runtime.projector!.waitFor(await ws.store.headPosition());

  const [a1, a2] = agents;
  for (const [agent, host] of [
    [a1, 'compute-1'],
    [a2, 'compute-2'],
  ] as const) {
    const expected = await runtime.feed.snapshot(host);
    await eventually(() => agent.view?.revision === expected.revision, 5000, `${host} in sync`);
    expect(agent.view).toEqual(expected);
  }
  expect(a1.view!.networks[net.id]).toEqual({
    network_type: net['provider:network_type'],
    segmentation_id: net['provider:segmentation_id'],
    flood: ['10.0.0.12'],
    fdb: { '10.0.0.12': [[ports[1].mac_address, ports[1].fixed_ips[0].ip_address]] },
  });
  const group = ports[0].security_groups[0];
  expect(a2.view!.ipsets[`NIPv4${group}`.slice(0, 29)].members).toEqual(ports.map((p) => p.fixed_ips[0].ip_address).sort());
});
