/*
 * Provenance end to end: an embedded control plane, ports through the Neutron
 * API and agents' reports, then GET /v1/hosts/{host}/l2/explain over HTTP and
 * `controlplane explain` on the stopped server's data directory.
 */
import { rmSync } from 'node:fs';
import { buildDist } from '../support/build-dist';
import { runControlplane, spawnControlPlane, type ControlPlaneProcess } from '../support/control-plane';

let cp: ControlPlaneProcess;
beforeAll(async () => {
  buildDist();
  cp = await spawnControlPlane();
});
afterAll(async () => {
  await cp.kill();
  rmSync(cp.dataDir, { recursive: true, force: true });
});

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(cp.url + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as T;
}

test('why host-1 has an FDB entry for a port on host-2, over HTTP and as a story from the data directory', async () => {
  for (const [host, ip] of [
    ['host-1', '192.0.2.1'],
    ['host-2', '192.0.2.2'],
  ]) {
    await call('PUT', `/v1/agents/Open%20vSwitch%20agent/${host}`, { tunnel_ip: ip, configurations: { tunnel_types: ['vxlan'] } });
  }
  const { network } = await call<{ network: { id: string } }>('POST', '/v2.0/networks', { network: { name: 'web' } });
  const { subnet } = await call<{ subnet: { id: string } }>('POST', '/v2.0/subnets', {
    subnet: { network_id: network.id, cidr: '10.0.0.0/24', ip_version: 4 },
  });
  const ports: Array<{ id: string; mac_address: string }> = [];
  for (const host of ['host-1', 'host-2']) {
    const { port } = await call<{ port: { id: string; mac_address: string } }>('POST', '/v2.0/ports', {
      port: { network_id: network.id, fixed_ips: [{ subnet_id: subnet.id }], 'binding:host_id': host },
    });
    await call('POST', `/v1/hosts/${host}/ports/${port.id}/up`);
    ports.push(port);
  }
  const mac = ports[1].mac_address;
  const query = new URLSearchParams({ network: network.id, tunnel_ip: '192.0.2.2', mac });
  const x = await call<{ present: boolean; because: Array<{ type: string; request_id: string }> }>(
    'GET',
    `/v1/hosts/host-1/l2/explain?${query.toString()}`,
  );
  expect(x.present).toBe(true);
  expect(x.because.map((c) => c.type)).toEqual([
    'AgentRegistered',
    'NetworkCreated',
    'PortCreated',
    'PortBoundToHost',
    'PortActivated',
    'PortCreated',
    'PortBoundToHost',
    'PortActivated',
  ]);
  expect(x.because.every((c) => c.request_id.startsWith('req-'))).toBe(true);

  await cp.kill();
  const args = ['explain', '--data-dir', cp.dataDir, '--host', 'host-1', '--network', network.id, '--tunnel-ip', '192.0.2.2'];
  const story = await runControlplane([...args, '--mac', mac]);
  expect(story.code).toBe(0);
  const lines = story.out.trim().split('\n');
  expect(lines[0]).toBe(`host host-1 has FDB entry ${mac} via 192.0.2.2 on network ${network.id}, because:`);
  expect(lines.at(-1)).toMatch(
    new RegExp(`^  #\\d+ \\S+ PortActivated: port ${ports[1].id} reported up by host host-2's agent \\(by \\S+, request req-`),
  );

  const absent = await runControlplane([...args, '--mac', 'fa:16:3e:ff:ff:ff']);
  expect(absent.out.split('\n')[0]).toBe(
    `host host-1 does not have FDB entry fa:16:3e:ff:ff:ff via 192.0.2.2 on network ${network.id}: no port on network ${network.id} has MAC fa:16:3e:ff:ff:ff.`,
  );
  const wrong = await runControlplane(['explain', '--data-dir', cp.dataDir, '--host', 'host-1', '--network', network.id]);
  expect(wrong.code).toBe(2);
  expect(wrong.err).toContain('explain one entry: --network ID --tunnel-ip IP [--mac MAC], --ipset NAME --member IP, or --router ID');
});
