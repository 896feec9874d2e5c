import { Impact } from './impact';

describe('Impact', () => {
  it('merges hosts per network, lets "all" win, and ignores unbound hosts', () => {
    const i = new Impact();
    i.network('n1', ['h1', '', null, undefined]);
    i.network('n1', ['h2']);
    i.network('n2', 'all');
    i.network('n2', ['h3']);
    expect(i.networks).toEqual(new Map<string, unknown>([['n1', new Set(['h1', 'h2'])], ['n2', 'all']]));
  });

  it('names both ethertypes of a group once', () => {
    const i = new Impact();
    i.group('sg');
    i.set('sg', 'IPv4');
    expect([...i.sets.keys()]).toEqual(['IPv4/sg', 'IPv6/sg']);
  });
});
