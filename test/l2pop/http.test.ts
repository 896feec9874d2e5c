/*
 * The agent sync API over real HTTP on 127.0.0.1 (ephemeral port): snapshot,
 * ?since= deltas, and the server-sent-events watch.
 */
import { EventSource } from 'eventsource';
import { rmSync } from 'node:fs';
import { applyDelta } from '../../apps/l2pop-projector/src/agent/apply-delta';
import type { L2Changes, L2Snapshot } from '../../apps/l2pop-projector/src/contract/l2-documents';
import * as e from './support/events';
import { tempDir } from './support/harness';
import { eventually, L2Server } from './support/server';

const MAC = (n: number) => `fa:16:3e:00:02:${n.toString(16).padStart(2, '0')}`;
const vm = (id: string, host: string, n: number) => [
  e.port(id, 'n1', { host, mac: MAC(n), ips: [`192.168.2.${n}`], groups: ['def'] }),
  e.up(id, 'n1', host),
];

let server: L2Server;
let dir: string;
const sources: EventSource[] = [];
beforeEach(async () => {
  dir = tempDir();
  server = await L2Server.start(dir);
  await server.append(
    e.agent('c1', '10.0.0.1'),
    e.agent('c2', '10.0.0.2'),
    e.agent('c9', '10.0.0.9'),
    e.network('n1'),
    e.defaultGroup('def'),
  );
});
afterEach(async () => {
  sources.splice(0).forEach((s) => s.close());
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = async <T>(path: string): Promise<T> => {
  const res = await fetch(server.url + path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

/** Watches a host and keeps a local copy built only from what the stream sends. */
function watch(host: string, since?: string, start: L2Snapshot | null = null, delta?: 'entries') {
  const state = { view: start, messages: [] as L2Changes[] };
  const query = new URLSearchParams({ ...(since ? { since } : {}), ...(delta ? { delta } : {}) }).toString();
  const es = new EventSource(`${server.url}/v1/hosts/${host}/l2/watch${query ? `?${query}` : ''}`);
  sources.push(es);
  es.onmessage = (m) => {
    const doc = JSON.parse(m.data) as L2Changes;
    state.messages.push(doc);
    state.view = applyDelta(state.view, doc);
  };
  return state;
}

test('GET snapshot and ?since= deltas', async () => {
  const r0 = await get<L2Snapshot>('/v1/hosts/c1/l2');
  expect(r0).toEqual({
    host: 'c1',
    revision: expect.stringMatching(/^\d+-\d+$/),
    networks: {},
    ipsets: {},
    ports: {},
    security_groups: {},
  });
  await server.append(vm('p1', 'c1', 1), vm('p2', 'c2', 2));
  const delta = await get<L2Changes>(`/v1/hosts/c1/l2?since=${r0.revision}`);
  expect(delta).toMatchObject({
    since: r0.revision,
    resync: false,
    networks: { n1: { remotes: { '10.0.0.2': [[MAC(2), '192.168.2.2']] } } },
  });
  const r1 = await get<L2Snapshot>('/v1/hosts/c1/l2');
  expect(applyDelta(r0, delta)).toEqual(r1);
  expect(await get(`/v1/hosts/c1/l2?since=bogus`)).toEqual({ ...r1, since: 'bogus', resync: true });

  // The entry format: the same change as one FDB entry and one flood IP added.
  const entries = await get<L2Changes>(`/v1/hosts/c1/l2?since=${r0.revision}&delta=entries`);
  expect(entries).toMatchObject({
    delta: 'entries',
    networks: { n1: { full: true, flood: { added: ['10.0.0.2'] }, fdb: { added: [['10.0.0.2', MAC(2), '192.168.2.2']], removed: [] } } },
  });
  expect(applyDelta(r0, entries)).toEqual(r1);
  for (const path of ['/l2?delta=whole', '/l2/watch?delta=whole']) {
    const res = await fetch(`${server.url}/v1/hosts/c1${path}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      NeutronError: { type: 'HTTPBadRequest', message: "Malformed request: delta must be 'entries' or 'lists', not 'whole'" },
    });
  }
});

test("a host's own ports and their groups' rules: in its snapshot, and again whole in a delta when they change", async () => {
  await server.append(e.port('p1', 'n1', { host: 'c1', mac: MAC(1), ips: ['192.168.2.1'], groups: ['def'] }));
  const r0 = await get<L2Snapshot>('/v1/hosts/c1/l2');
  // Not up yet: the agent learns the port from its own document, before any remote does.
  expect(r0.ports).toEqual({
    p1: {
      network_id: 'n1',
      network_type: 'vxlan',
      segmentation_id: 1000,
      mac_address: MAC(1),
      fixed_ips: ['192.168.2.1'],
      allowed_address_pairs: [],
      security_groups: ['def'],
      port_security_enabled: true,
      device_owner: 'compute:nova',
    },
  });
  expect(r0.security_groups.def.map((r) => r.id)).toEqual(['def-in4', 'def-in6', 'def-out4', 'def-out6']);
  expect(r0.security_groups.def[0]).toEqual({
    id: 'def-in4',
    direction: 'ingress',
    ethertype: 'IPv4',
    protocol: null,
    port_range_min: null,
    port_range_max: null,
    remote_ip_prefix: null,
    remote_group_id: 'def',
  });
  const c2 = await get<L2Snapshot>('/v1/hosts/c2/l2');

  // A rule of the group: c1 gets its rules again; c2 has no port in the group and gets nothing.
  await server.append(e.ruleDeleted('def-in6', 'def'));
  const delta = await get<L2Changes>(`/v1/hosts/c1/l2?since=${r0.revision}`);
  expect(delta.security_groups?.def.map((r) => r.id)).toEqual(['def-in4', 'def-out4', 'def-out6']);
  expect(applyDelta(r0, delta)).toEqual(await get<L2Snapshot>('/v1/hosts/c1/l2'));
  expect((await get<L2Snapshot>('/v1/hosts/c2/l2')).revision).toBe(c2.revision);

  // Going up changes nothing the host's own agent reads; a move takes the port to c2's document.
  const r1 = await get<L2Snapshot>('/v1/hosts/c1/l2');
  await server.append(e.up('p1', 'n1', 'c1'));
  expect((await get<L2Changes>(`/v1/hosts/c1/l2?since=${r1.revision}`)).ports).toBeUndefined();
  await server.append(e.bound('p1', 'n1', 'c2', 'c1'));
  expect((await get<L2Changes>(`/v1/hosts/c1/l2?since=${r1.revision}`)).ports).toEqual({});
  expect(Object.keys((await get<L2Snapshot>('/v1/hosts/c2/l2')).ports)).toEqual(['p1']);
});

test('the watch streams each committed change to the hosts it concerns and no other', async () => {
  const c1 = watch('c1');
  const c9 = watch('c9');
  await eventually(() => c1.messages.length === 1 && c9.messages.length === 1, 5000, 'initial snapshots');
  expect(c1.messages[0]).toMatchObject({ resync: true, since: null });

  await server.append(vm('p1', 'c1', 1));
  await server.append(vm('p2', 'c2', 2));
  await server.append(e.down('p2', 'n1', 'c2'), e.up('p2', 'n1', 'c2'), vm('p3', 'c2', 3));
  const expected = await server.runtime.feed.snapshot('c1');
  await eventually(() => c1.view?.revision === expected.revision, 5000, 'c1 to catch up');
  expect(c1.view).toEqual(expected);
  expect(c1.messages.slice(1).every((m) => m.resync === false)).toBe(true);

  // c9 has no port on n1: the ipset of the default group is not its business either.
  await new Promise((r) => setTimeout(r, 100));
  expect(c9.messages).toHaveLength(1);

  // A watch resuming from a revision starts with the delta since then, in either format.
  const resumed = watch('c1', c1.messages[0].revision, applyDelta(null, c1.messages[0]));
  const entries = watch('c1', c1.messages[0].revision, applyDelta(null, c1.messages[0]), 'entries');
  await eventually(() => resumed.messages.length === 1 && entries.messages.length === 1, 5000, 'resumed delta');
  expect(resumed.messages[0]).toMatchObject({ resync: false, since: c1.messages[0].revision });
  expect(entries.messages[0]).toMatchObject({ resync: false, delta: 'entries', since: c1.messages[0].revision });
  expect(resumed.view).toEqual(expected);
  expect(entries.view).toEqual(expected);
});
