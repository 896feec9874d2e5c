/*
 * Provenance of L2 documents against known histories: the events that put an
 * FDB pair, a flood entry or an ipset member in a host's document, and the
 * reason an entry is absent after a port goes down, moves, is deleted, or its
 * host's tunnel IP changes. Over real SQLite and HTTP.
 */
import type { Explanation } from '@cp/host-feed';
import * as e from './support/events';
import { tempDir } from './support/harness';
import { L2Server } from './support/server';

const MAC = (n: number) => `fa:16:3e:00:03:${n.toString(16).padStart(2, '0')}`;
let server: L2Server;

beforeAll(async () => {
  server = await L2Server.start(tempDir());
  await server.append(
    e.agent('c1', '10.0.0.1'),
    e.agent('c2', '10.0.0.2'),
    e.network('n1'),
    e.defaultGroup('def'),
    e.port('p1', 'n1', { host: 'c1', mac: MAC(1), ips: ['192.168.3.1'], groups: ['def'] }),
    e.up('p1', 'n1', 'c1'),
    e.port('p2', 'n1', { host: 'c2', mac: MAC(2), ips: ['192.168.3.2'], groups: ['def'] }),
    e.up('p2', 'n1', 'c2'),
  );
});
afterAll(() => server.stop());

async function explain(host: string, query: Record<string, string>): Promise<Explanation & { status: number }> {
  const res = await fetch(`${server.url}/v1/hosts/${host}/l2/explain?${new URLSearchParams(query).toString()}`);
  return { ...((await res.json()) as Explanation), status: res.status };
}
const types = (x: Explanation) => x.because.map((c) => `${c.type} ${c.resource}`);

test('an FDB pair: the network, the host taking part, the remote agent and the port created, bound and reported up', async () => {
  const x = await explain('c1', { network: 'n1', tunnel_ip: '10.0.0.2', mac: MAC(2) });
  expect(x).toMatchObject({ status: 200, host: 'c1', present: true, entry: { network: 'n1', tunnel_ip: '10.0.0.2', mac: MAC(2) } });
  expect(x.absent_because).toBeUndefined();
  expect(types(x)).toEqual([
    'AgentRegistered agent agent-Open-c2',
    'NetworkCreated network n1',
    'PortCreated port p1',
    'PortActivated port p1',
    'PortCreated port p2',
    'PortActivated port p2',
  ]);
  // Each cause says where it is in the log, when, who and through which request.
  const positions = x.because.map((c) => c.position);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  expect(x.because[0]).toMatchObject({ actor: expect.any(String), request_id: expect.any(String), occurred_at: expect.any(String) });
  expect(x.because.at(-1)!.why).toBe("port p2 reported up by host c2's agent");
});

test('a port down, then moved, then its host given another tunnel IP, then deleted: each time the reason it is absent', async () => {
  await server.append(e.down('p2', 'n1', 'c2'));
  let x = await explain('c1', { network: 'n1', tunnel_ip: '10.0.0.2', mac: MAC(2) });
  expect(x).toMatchObject({ present: false, absent_because: "port p2 is DOWN: host c2's agent has not reported it up" });
  expect(types(x)).toContain('PortDeactivated port p2');

  await server.append(e.agent('c3', '10.0.0.3'), e.bound('p2', 'n1', 'c3', 'c2'), e.up('p2', 'n1', 'c3'));
  x = await explain('c1', { network: 'n1', tunnel_ip: '10.0.0.2', mac: MAC(2) });
  expect(x).toMatchObject({ present: false, absent_because: 'port p2 is on host c3, whose tunnel IP is 10.0.0.3, not 10.0.0.2' });
  expect((await explain('c1', { network: 'n1', tunnel_ip: '10.0.0.3', mac: MAC(2) })).present).toBe(true);

  await server.append(e.agentChanged('c3', '10.0.0.33'));
  x = await explain('c1', { network: 'n1', tunnel_ip: '10.0.0.33', mac: MAC(2) });
  expect(x.present).toBe(true);
  expect(types(x)).toContain('AgentConfigurationChanged agent agent-Open-c3');
  expect(x.because.find((c) => c.type === 'PortBoundToHost')!.why).toBe('port p2 bound to host c3');
  expect((await explain('c1', { network: 'n1', tunnel_ip: '10.0.0.3', mac: MAC(2) })).absent_because).toBe(
    'no L2 agent is registered with tunnel IP 10.0.0.3',
  );

  await server.append(e.portDeleted('p2', 'n1', 'c3'));
  x = await explain('c1', { network: 'n1', tunnel_ip: '10.0.0.33', mac: MAC(2) });
  expect(x).toMatchObject({ present: false, absent_because: `port p2, which had MAC ${MAC(2)}, was deleted` });
  expect(types(x)).toContain('PortDeleted port p2');
});

test('a flood entry, and a host that takes no part in the network', async () => {
  await server.append(e.port('p4', 'n1', { host: 'c2', mac: MAC(4), ips: ['192.168.3.4'] }), e.up('p4', 'n1', 'c2'));
  const x = await explain('c1', { network: 'n1', tunnel_ip: '10.0.0.2' });
  expect(x.present).toBe(true);
  expect(types(x)).toEqual(expect.arrayContaining(['AgentRegistered agent agent-Open-c2', 'PortActivated port p4']));
  expect((await explain('c9', { network: 'n1', tunnel_ip: '10.0.0.2' })).absent_because).toBe(
    'host c9 has no port up on network n1 (nor an HA router there): it takes no part in its L2 population',
  );
});

test('an ipset member: the rule that makes the host hold the set, and the port holding the address', async () => {
  const x = await explain('c1', { ipset: 'NIPv4def', member: '192.168.3.4' });
  expect(x).toMatchObject({ present: false, absent_because: 'no port of group def has address 192.168.3.4' });
  expect(types(x)).toContain('SecurityGroupRuleCreated security-group def-in4');

  const y = await explain('c1', { ipset: 'NIPv4def', member: '192.168.3.1' });
  expect(y.present).toBe(true);
  expect(y.because.find((c) => c.type === 'SecurityGroupRuleCreated')!.why).toBe(
    'rule def-in4 of group def names group def as remote group',
  );
});

test('a question that names no entry is refused with what to ask', async () => {
  const x = await explain('c1', { network: 'n1' });
  expect(x.status).toBe(400);
  expect(JSON.stringify(x)).toContain('explain one entry');
});
