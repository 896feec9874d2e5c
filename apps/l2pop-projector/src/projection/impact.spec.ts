import { Impact } from './impact';

describe('Impact', () => {
  it('merges hosts per network, lets "all" win, and ignores unbound hosts', () => {
    const i = new Impact();
    i.network('n1', ['h1', '', null, undefined]);
    i.network('n1', ['h2']);
    i.network('n2', 'all');
    i.network('n2', ['h3']);
    expect(i.networks).toEqual(
      new Map<string, unknown>([
        ['n1', new Set(['h1', 'h2'])],
        ['n2', 'all'],
      ]),
    );
  });

  it('names a set once, and collects nothing while views are rebuilt in bulk', () => {
    const i = new Impact();
    i.set('sg', 'IPv4');
    i.set('sg', 'IPv4');
    i.setMembers('sg', 'IPv6', '2001:db8::1');
    i.setMembers('sg', 'IPv6', '2001:db8::2');
    expect([...i.sets.keys()]).toEqual(['IPv4/sg']);
    expect([...i.members.keys()]).toEqual(['IPv6/sg']);
    expect([...i.members.get('IPv6/sg')!.ips]).toEqual(['2001:db8::1', '2001:db8::2']);
    const bulk = new Impact(false);
    bulk.network('n1', 'all');
    bulk.setMembers('sg', 'IPv4', '10.0.0.1');
    expect(bulk.networks.size + bulk.members.size).toBe(0);
  });
});
