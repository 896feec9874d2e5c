/*
 * design.md §4, rule by rule, against real SQLite files. After every test
 * the live read model must equal one rebuilt from position 0 (digest).
 */
import * as e from './support/events';
import { L2Harness } from './support/harness';

const MAC = (n: number) => `fa:16:3e:00:00:${n.toString(16).padStart(2, '0')}`;
let h: L2Harness;

beforeEach(async () => {
  h = await L2Harness.sqlite();
  await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.agent('c3', '10.0.0.3'), e.network('n1', 'vxlan', 1001));
});
afterEach(async () => {
  await h.expectRebuiltEqualsLive();
  await h.close();
});

/** A VM port on `host`, ACTIVE. */
const vm = (id: string, host: string, n: number, extra: e.PortSpec = {}, net = 'n1') => [
  e.port(id, net, { host, mac: MAC(n), ips: [`192.168.0.${n}`], ...extra }),
  e.up(id, net, host),
];
const networks = async (host: string) => (await h.snapshot(host)).networks;

test('first port of a network on a host: the host gets the network, the others learn its tunnel and entries', async () => {
  await h.append(vm('p1', 'c1', 1));
  expect(await networks('c1')).toEqual({ n1: { network_type: 'vxlan', segmentation_id: 1001, flood: [], fdb: {} } });
  expect(await networks('c2')).toEqual({});

  await h.append(vm('p2', 'c2', 2));
  expect((await networks('c1')).n1).toEqual({
    network_type: 'vxlan',
    segmentation_id: 1001,
    flood: ['10.0.0.2'],
    fdb: { '10.0.0.2': [[MAC(2), '192.168.0.2']] },
  });
  expect((await networks('c2')).n1.fdb).toEqual({ '10.0.0.1': [[MAC(1), '192.168.0.1']] });
  // A host with no counted port (its port is still DOWN) gets nothing for the network.
  await h.append(e.port('p3', 'n1', { host: 'c3', mac: MAC(3), ips: ['192.168.0.3'] }));
  expect(await networks('c3')).toEqual({});
  expect((await networks('c1')).n1.flood).toEqual(['10.0.0.2']);
});

test('last port leaving a host removes it from every flood list of the network', async () => {
  await h.append(vm('p1', 'c1', 1), vm('p1b', 'c1', 11), vm('p2', 'c2', 2));
  expect((await networks('c2')).n1.fdb['10.0.0.1']).toEqual([
    [MAC(1), '192.168.0.1'],
    [MAC(11), '192.168.0.11'],
  ]);
  await h.append(e.portDeleted('p1', 'n1', 'c1'));
  expect((await networks('c2')).n1).toMatchObject({ flood: ['10.0.0.1'], fdb: { '10.0.0.1': [[MAC(11), '192.168.0.11']] } });
  await h.append(e.portDeleted('p1b', 'n1', 'c1'));
  expect((await networks('c2')).n1).toMatchObject({ flood: [], fdb: {} });
  expect(await networks('c1')).toEqual({});
});

test('binding to another host: DOWN until the new host reports it up; stale reports are ignored', async () => {
  await h.append(vm('p1', 'c1', 1), vm('p2', 'c2', 2));
  await h.append(e.bound('p1', 'n1', 'c3', 'c1'));
  expect((await networks('c2')).n1).toMatchObject({ flood: [], fdb: {} });
  expect(await networks('c1')).toEqual({});
  expect(await networks('c3')).toEqual({});
  await h.append(e.up('p1', 'n1', 'c1')); // the old host's agent, late
  expect(await networks('c3')).toEqual({});
  await h.append(e.up('p1', 'n1', 'c3'));
  expect((await networks('c2')).n1).toMatchObject({ flood: ['10.0.0.3'], fdb: { '10.0.0.3': [[MAC(1), '192.168.0.1']] } });
  await h.append(e.unbound('p1', 'n1', 'c3'));
  expect((await networks('c2')).n1.flood).toEqual([]);
});

test('port down removes its entries; up again restores them', async () => {
  await h.append(vm('p1', 'c1', 1), vm('p2', 'c2', 2));
  await h.append(e.down('p1', 'n1', 'c1'));
  expect((await networks('c2')).n1).toMatchObject({ flood: [], fdb: {} });
  await h.append(e.up('p1', 'n1', 'c1'));
  expect((await networks('c2')).n1.fdb).toEqual({ '10.0.0.1': [[MAC(1), '192.168.0.1']] });
});

test('port delete removes its entries', async () => {
  await h.append(vm('p1', 'c1', 1), vm('p2', 'c2', 2), vm('p3', 'c3', 3));
  await h.append(e.portDeleted('p1', 'n1', 'c1'));
  expect((await networks('c2')).n1).toMatchObject({ flood: ['10.0.0.3'], fdb: { '10.0.0.3': [[MAC(3), '192.168.0.3']] } });
});

test('several fixed IPs give one [mac, ip] entry each; IP changes follow', async () => {
  await h.append(vm('p1', 'c1', 1, { ips: ['192.168.0.1', '192.168.1.1', 'fd00::1'] }), vm('p2', 'c2', 2));
  expect((await networks('c2')).n1.fdb['10.0.0.1']).toEqual([
    [MAC(1), '192.168.0.1'],
    [MAC(1), '192.168.1.1'],
    [MAC(1), 'fd00::1'],
  ]);
  await h.append(e.portUpdated('p1', 'n1', { fixedIps: e.fixedIps('n1', ['192.168.0.9']) }));
  expect((await networks('c2')).n1.fdb['10.0.0.1']).toEqual([[MAC(1), '192.168.0.9']]);
  // A counted port without any IP still makes its host a flood member.
  await h.append(e.portUpdated('p1', 'n1', { fixedIps: [] }));
  expect((await networks('c2')).n1).toMatchObject({ flood: ['10.0.0.1'], fdb: {} });
});

test('allowed address pairs: in ipsets (CIDRs as given, by family), never in the FDB', async () => {
  await h.append(e.defaultGroup('sg-default'));
  await h.append(
    vm('p1', 'c1', 1, { groups: ['sg-default'], pairs: ['192.168.0.100', '10.9.0.0/24', 'fd00::100'] }),
    vm('p2', 'c2', 2, { groups: ['sg-default'] }),
  );
  const c2 = await h.snapshot('c2');
  expect(c2.networks.n1.fdb).toEqual({ '10.0.0.1': [[MAC(1), '192.168.0.1']] });
  expect(c2.ipsets['NIPv4sg-default'].members).toEqual(['10.9.0.0/24', '192.168.0.1', '192.168.0.100', '192.168.0.2']);
  expect(c2.ipsets['NIPv6sg-default'].members).toEqual(['fd00::100']);
});

test('vlan and flat networks are excluded from L2 population (ipsets still apply)', async () => {
  await h.append(e.network('v1', 'vlan', 100), e.network('f1', 'flat'), e.network('l1', 'local'), e.defaultGroup('sg'));
  for (const net of ['v1', 'f1', 'l1']) {
    await h.append(vm(`${net}-a`, 'c1', 1, { groups: ['sg'] }, net), vm(`${net}-b`, 'c2', 2, { groups: ['sg'] }, net));
  }
  expect(await networks('c1')).toEqual({});
  expect(await networks('c2')).toEqual({});
  expect((await h.snapshot('c1')).ipsets['NIPv4sg'].members).toEqual(['192.168.0.1', '192.168.0.2']);
  await h.append(e.network('g1', 'gre', 7), e.network('gn1', 'geneve', 8), vm('g-a', 'c1', 1, {}, 'g1'), vm('g-b', 'c2', 2, {}, 'g1'));
  await h.append(vm('gn-a', 'c1', 1, {}, 'gn1'), vm('gn-b', 'c2', 2, {}, 'gn1'));
  expect(Object.keys(await networks('c1'))).toEqual(['g1', 'gn1']);
});

test('an agent whose tunnel IP changes: every peer moves its entries to the new IP', async () => {
  await h.append(vm('p1', 'c1', 1), vm('p2', 'c2', 2), vm('p3', 'c3', 3));
  await h.append(e.agentChanged('c1', '10.1.0.1'));
  for (const host of ['c2', 'c3']) {
    const n1 = (await networks(host)).n1;
    expect(n1.flood).toContain('10.1.0.1');
    expect(n1.flood).not.toContain('10.0.0.1');
    expect(n1.fdb['10.1.0.1']).toEqual([[MAC(1), '192.168.0.1']]);
  }
  // An agent without a tunnel IP (or a deleted one) takes the host out.
  await h.append(e.agentChanged('c1', null));
  expect((await networks('c2')).n1.flood).toEqual(['10.0.0.3']);
  expect(await networks('c1')).toEqual({});
  await h.append(e.agentChanged('c1', '10.1.0.1'), e.agentDeleted('c3'));
  expect((await networks('c2')).n1.flood).toEqual(['10.1.0.1']);
});

test('ports that arrive before their host registers count once it does; other agent types do not matter', async () => {
  await h.append(vm('p1', 'c9', 9), vm('p2', 'c2', 2), e.agent('c9', null, 'L3 agent'));
  expect((await networks('c2')).n1.flood).toEqual([]);
  await h.append(e.agent('c9', '10.0.0.9'));
  expect((await networks('c2')).n1.fdb).toEqual({ '10.0.0.9': [[MAC(9), '192.168.0.9']] });
  await h.append(e.agentDeleted('c9', 'L3 agent'));
  expect((await networks('c2')).n1.flood).toEqual(['10.0.0.9']);
});

test('remote-group rules: hosts with ports in the group need the remote group set, whatever the members host or status', async () => {
  const web = 'a3f1c2d4-1111-4222-8333-944455556666';
  const db = 'b7e2d3c4-5555-4666-8777-988899990000';
  // Rules first, ports later, members unbound or DOWN: the read model assumes no order.
  await h.append(e.group(web), e.group(db), e.rule('r1', web, db, 'IPv4'), e.rule('r2', web, null, 'IPv6'));
  await h.append(
    e.port('db1', 'n1', { mac: MAC(5), ips: ['192.168.0.5', 'fd00::5'], groups: [db] }),
    e.port('db2', 'n1', { mac: MAC(6), ips: ['192.168.0.6'], groups: [db], host: 'c3' }),
    ...vm('w1', 'c1', 1, { groups: [web] }),
  );
  const setName = `NIPv4${db.slice(0, 24)}`;
  expect(setName).toHaveLength(29);
  expect((await h.snapshot('c1')).ipsets).toEqual({
    [setName]: { security_group_id: db, ethertype: 'IPv4', members: ['192.168.0.5', '192.168.0.6'] },
  });
  expect((await h.snapshot('c3')).ipsets).toEqual({}); // c3's port is in db, and db has no remote-group rule
  await h.append(e.ruleDeleted('r1', web));
  expect((await h.snapshot('c1')).ipsets).toEqual({});
  await h.append(e.rule('r3', web, db, 'IPv6'), e.portUpdated('w1', 'n1', { securityGroups: [web, db] }));
  expect(Object.keys((await h.snapshot('c1')).ipsets)).toEqual([`NIPv6${db.slice(0, 24)}`]);
  await h.append(e.groupDeleted(web));
  expect((await h.snapshot('c1')).ipsets).toEqual({});
});

test('the default group: members see each other in both families; egress rules need no set', async () => {
  await h.append(e.defaultGroup('def'));
  await h.append(vm('p1', 'c1', 1, { groups: ['def'] }), vm('p2', 'c2', 2, { groups: ['def'], ips: ['192.168.0.2', 'fd00::2'] }));
  const expected = {
    NIPv4def: { security_group_id: 'def', ethertype: 'IPv4', members: ['192.168.0.1', '192.168.0.2'] },
    NIPv6def: { security_group_id: 'def', ethertype: 'IPv6', members: ['fd00::2'] },
  };
  expect((await h.snapshot('c1')).ipsets).toEqual(expected);
  expect((await h.snapshot('c2')).ipsets).toEqual(expected);
  expect((await h.snapshot('c3')).ipsets).toEqual({});
  await h.append(e.portDeleted('p2', 'n1', 'c2'));
  expect((await h.snapshot('c1')).ipsets.NIPv4def.members).toEqual(['192.168.0.1']);
  expect((await h.snapshot('c2')).ipsets).toEqual({});
});

test('HA router interfaces: hosts running the router join the flood lists with no unicast entries', async () => {
  await h.append(e.agent('net1', '10.0.1.1'), e.agent('net2', '10.0.1.2'), vm('p1', 'c1', 1));
  await h.append(
    e.router('r1', true),
    e.scheduled('r1', 'net1', 100),
    e.scheduled('r1', 'net2', 50),
    e.port('ha-if', 'n1', { owner: e.HA_OWNER, host: 'net1', mac: MAC(0xee), ips: ['192.168.0.254'] }),
    e.up('ha-if', 'n1', 'net1'),
    e.iface('r1', 'ha-if', 'n1'),
  );
  expect((await networks('c1')).n1).toEqual({ network_type: 'vxlan', segmentation_id: 1001, flood: ['10.0.1.1', '10.0.1.2'], fdb: {} });
  expect((await networks('net1')).n1).toMatchObject({ flood: ['10.0.0.1', '10.0.1.2'], fdb: { '10.0.0.1': [[MAC(1), '192.168.0.1']] } });
  await h.append(e.unscheduled('r1', 'net2'));
  expect((await networks('c1')).n1.flood).toEqual(['10.0.1.1']);
  expect(await networks('net2')).toEqual({});
  // A legacy (non-HA) router's interface port is an ordinary port; its scheduling adds nothing.
  await h.append(e.router('r2', false), e.scheduled('r2', 'net2'), e.iface('r2', 'r2-if', 'n1'));
  expect((await networks('c1')).n1.flood).toEqual(['10.0.1.1']);
  await h.append(e.iface('r1', 'ha-if', 'n1', true));
  expect((await networks('c1')).n1.flood).toEqual([]);
  await h.append(e.iface('r1', 'ha-if2', 'n1'), e.routerDeleted('r1'));
  expect((await networks('c1')).n1.flood).toEqual([]);
});

test('network deleted: every host drops it', async () => {
  await h.append(vm('p1', 'c1', 1), vm('p2', 'c2', 2));
  await h.append(e.networkDeleted('n1', 'vxlan', 1001));
  expect(await networks('c1')).toEqual({});
  expect(await networks('c2')).toEqual({});
});
