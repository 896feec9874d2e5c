import { ipFamily, ipsetName, sortEntries, uniqueSorted } from './rules';

describe('L2 rules', () => {
  it("names ipsets as Neutron's agent does: N + ethertype + group id, cut to 29 characters", () => {
    const id = '8d4bbc5e-1d5a-4c0e-9f1a-3a4b5c6d7e8f';
    expect(ipsetName(id, 'IPv4')).toBe('NIPv48d4bbc5e-1d5a-4c0e-9f1a-');
    expect(ipsetName(id, 'IPv4')).toHaveLength(29);
    expect(ipsetName('short', 'IPv6')).toBe('NIPv6short');
  });

  it('tells address families apart for addresses and CIDRs', () => {
    expect(ipFamily('10.0.0.1')).toBe(4);
    expect(ipFamily('10.0.0.0/24')).toBe(4);
    expect(ipFamily('fd00::1')).toBe(6);
    expect(ipFamily('::ffff:10.0.0.1')).toBe(6);
  });

  it('orders entries by MAC then IP, and sets by code point, whatever the input order', () => {
    expect(
      sortEntries([
        ['b', '2'],
        ['a', '9'],
        ['b', '1'],
      ]),
    ).toEqual([
      ['a', '9'],
      ['b', '1'],
      ['b', '2'],
    ]);
    expect(uniqueSorted(['b', 'a', 'b', 'B'])).toEqual(['B', 'a', 'b']);
  });
});
