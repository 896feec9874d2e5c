/*
 * The reference agent against a real server: its local copy equals the server's
 * snapshot after a sequence of events, after the agent restarts from its saved
 * revision (a delta, no full resync), and after the server restarts.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReferenceAgent } from '../../apps/l2pop-projector/src/agent/agent';
import * as e from './support/events';
import { tempDir } from './support/harness';
import { eventually, L2Server } from './support/server';

const MAC = (n: number) => `fa:16:3e:00:03:${n.toString(16).padStart(2, '0')}`;
const vm = (id: string, host: string, n: number, net = 'n1') => [
  e.port(id, net, { host, mac: MAC(n), ips: [`192.168.3.${n}`], groups: ['def'], pairs: [`10.99.0.${n}`] }),
  e.up(id, net, host),
];

let dir: string;
let server: L2Server;
const agents: ReferenceAgent[] = [];

function startAgent(host: string, tunnelIp: string): Promise<ReferenceAgent> {
  const agent = new ReferenceAgent({
    server: server.url,
    host,
    tunnelIp,
    stateFile: join(dir, `${host}.json`),
    heartbeatSeconds: 60,
    log: () => undefined,
  });
  agents.push(agent);
  return agent.start().then(() => agent);
}

async function inSync(agent: ReferenceAgent, host: string): Promise<void> {
  let expected = await server.runtime.feed.snapshot(host);
  await eventually(
    async () => {
      expected = await server.runtime.feed.snapshot(host);
      return agent.view?.revision === expected.revision;
    },
    5000,
    `${host}'s agent to reach the server's revision`,
  );
  expect(agent.view).toEqual(expected);
}

beforeEach(async () => {
  dir = tempDir();
  server = await L2Server.start(dir);
  await server.append(e.network('n1'), e.network('n2', 'gre', 5), e.defaultGroup('def'));
});
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('registers its host and keeps a local copy equal to the server snapshot', async () => {
  const a1 = await startAgent('compute-1', '10.0.0.11');
  const a2 = await startAgent('compute-2', '10.0.0.12');
  // Registration went through the agents endpoint and became the hosts' tunnel IPs.
  await server.append(vm('p1', 'compute-1', 1), vm('p2', 'compute-2', 2), vm('p3', 'compute-2', 3, 'n2'));
  await inSync(a1, 'compute-1');
  await inSync(a2, 'compute-2');
  expect(a1.view!.networks.n1.fdb).toEqual({ '10.0.0.12': [[MAC(2), '192.168.3.2']] });
  expect(a1.view!.ipsets.NIPv4def.members).toContain('10.99.0.3');

  await server.append(e.bound('p2', 'n1', 'compute-1', 'compute-2'), e.portDeleted('p3', 'n2', 'compute-2'));
  await inSync(a1, 'compute-1');
  await inSync(a2, 'compute-2');
  expect(existsSync(join(dir, 'compute-1.json'))).toBe(true);
});

test('an agent restarted from its state file resumes with a delta, not a full resync', async () => {
  const a1 = await startAgent('compute-1', '10.0.0.11');
  await startAgent('compute-2', '10.0.0.12');
  await server.append(vm('p1', 'compute-1', 1), vm('p2', 'compute-2', 2));
  await inSync(a1, 'compute-1');
  await a1.stop();

  await server.append(vm('p3', 'compute-2', 3), e.down('p2', 'n1', 'compute-2'));
  const again = await startAgent('compute-1', '10.0.0.11');
  expect(again.stats.snapshots).toBe(0);
  await inSync(again, 'compute-1');
  await server.append(vm('p4', 'compute-2', 4));
  await inSync(again, 'compute-1');
  expect(again.stats).toMatchObject({ snapshots: 0 });
});

test('after the server restarts, the watching agent reconnects and catches up by delta', async () => {
  const a1 = await startAgent('compute-1', '10.0.0.11');
  await startAgent('compute-2', '10.0.0.12');
  await server.append(vm('p1', 'compute-1', 1), vm('p2', 'compute-2', 2));
  await inSync(a1, 'compute-1');
  const snapshotsBefore = a1.stats.snapshots;

  const port = server.port;
  await server.stop();
  server = await L2Server.start(dir, port);
  await server.append(vm('p3', 'compute-2', 3), e.agentChanged('compute-2', '10.0.1.12'));
  await inSync(a1, 'compute-1');
  expect(a1.view!.networks.n1.flood).toEqual(['10.0.1.12']);
  expect(a1.stats.snapshots).toBe(snapshotsBefore);
});
