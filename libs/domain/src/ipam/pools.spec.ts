import { addToIndex, buildUsedIndex, firstFreeIp, firstFreeIpInPools, isIpUsed, poolsSize, withTaken } from './allocate';
import { mustParseCidr } from './cidr';
import { parseIp } from './ip';
import { defaultGateway, defaultPools, poolsToRanges, rangeToPool, validatePools } from './pools';

const c = mustParseCidr;
const ip = (t: string) => parseIp(t)!;
const pools = (cidr: string, gw: string | null) => defaultPools(c(cidr), gw ? ip(gw) : null).map((r) => rangeToPool(c(cidr), r));

describe('default gateway and pools', () => {
  it('puts the gateway on the first host', () => {
    expect(defaultGateway(c('10.0.0.0/24'))).toEqual(ip('10.0.0.1'));
    expect(defaultGateway(c('2001:db8::/64'))).toEqual(ip('2001:db8::1'));
    expect(defaultGateway(c('10.0.0.0/31'))).toBeNull();
  });

  it('covers the block minus network, broadcast and gateway', () => {
    expect(pools('10.0.0.0/24', '10.0.0.1')).toEqual([{ start: '10.0.0.2', end: '10.0.0.254' }]);
    expect(pools('10.0.0.0/24', null)).toEqual([{ start: '10.0.0.1', end: '10.0.0.254' }]);
    expect(pools('10.0.0.0/24', '10.0.0.254')).toEqual([{ start: '10.0.0.1', end: '10.0.0.253' }]);
    expect(pools('10.0.0.0/24', '192.168.0.1')).toEqual([{ start: '10.0.0.1', end: '10.0.0.254' }]);
  });

  it('splits around a gateway in the middle', () => {
    expect(pools('10.0.0.0/24', '10.0.0.100')).toEqual([
      { start: '10.0.0.1', end: '10.0.0.99' },
      { start: '10.0.0.101', end: '10.0.0.254' },
    ]);
  });

  it('keeps IPv6 broadcast-free and /31, /32 whole, as Neutron does', () => {
    expect(pools('2001:db8::/64', '2001:db8::1')).toEqual([{ start: '2001:db8::2', end: '2001:db8::ffff:ffff:ffff:ffff' }]);
    expect(pools('10.0.0.0/31', null)).toEqual([{ start: '10.0.0.0', end: '10.0.0.1' }]);
    expect(pools('10.0.0.7/32', null)).toEqual([{ start: '10.0.0.7', end: '10.0.0.7' }]);
  });
});

describe('validatePools', () => {
  const v = (p: { start: string; end: string }[], gw: string | null = '10.0.0.1') => validatePools(c('10.0.0.0/24'), p, gw ? ip(gw) : null);
  const rejection = (r: ReturnType<typeof v>) =>
    r.ok ? null : { status: r.rejection.status, type: r.rejection.type, message: r.rejection.message };

  it('accepts disjoint pools inside the block and returns them canonical', () => {
    expect(
      v([
        { start: '10.0.0.10', end: '10.0.0.20' },
        { start: '10.0.0.2', end: '10.0.0.5' },
      ]),
    ).toMatchObject({ ok: true });
    const six = validatePools(c('2001:db8::/64'), [{ start: '2001:DB8::0:10', end: '2001:db8:0:0::20' }], null);
    expect(six.ok && six.pools).toEqual([{ start: '2001:db8::10', end: '2001:db8::20' }]);
  });

  it('refuses reversed, malformed and wrong-version pools', () => {
    for (const p of [
      { start: '10.0.0.9', end: '10.0.0.2' },
      { start: 'x', end: '10.0.0.2' },
      { start: '2001:db8::1', end: '2001:db8::2' },
    ]) {
      expect(rejection(v([p]))).toMatchObject({ status: 400, type: 'InvalidAllocationPool' });
    }
  });

  it('refuses pools that reach the network or broadcast address', () => {
    expect(rejection(v([{ start: '10.0.0.0', end: '10.0.0.9' }]))).toEqual({
      status: 400,
      type: 'OutOfBoundsAllocationPool',
      message: 'The allocation pool 10.0.0.0-10.0.0.9 spans beyond the subnet cidr 10.0.0.0/24.',
    });
    expect(rejection(v([{ start: '10.0.0.200', end: '10.0.0.255' }]))).toMatchObject({ type: 'OutOfBoundsAllocationPool' });
  });

  it('reports the first overlapping pair', () => {
    expect(
      rejection(
        v([
          { start: '10.0.0.2', end: '10.0.0.9' },
          { start: '10.0.0.50', end: '10.0.0.60' },
          { start: '10.0.0.9', end: '10.0.0.20' },
        ]),
      ),
    ).toEqual({
      status: 409,
      type: 'OverlappingAllocationPools',
      message: 'Found overlapping allocation pools: 10.0.0.2-10.0.0.9 10.0.0.9-10.0.0.20 for subnet 10.0.0.0/24.',
    });
  });

  it('refuses a pool holding the gateway', () => {
    expect(rejection(v([{ start: '10.0.0.1', end: '10.0.0.9' }]))).toEqual({
      status: 409,
      type: 'GatewayConflictWithAllocationPools',
      message: 'Gateway ip 10.0.0.1 conflicts with allocation pool 10.0.0.1-10.0.0.9.',
    });
    expect(v([{ start: '10.0.0.1', end: '10.0.0.9' }], null)).toMatchObject({ ok: true });
  });
});

describe('firstFreeIp', () => {
  const r = (p: { start: string; end: string }[]) => poolsToRanges(p);

  it('takes the lowest free address, pools in the order given', () => {
    const p = r([
      { start: '10.0.0.100', end: '10.0.0.101' },
      { start: '10.0.0.2', end: '10.0.0.9' },
    ]);
    expect(firstFreeIp(4, p, new Set())).toBe('10.0.0.100');
    expect(firstFreeIp(4, p, new Set(['10.0.0.100', '10.0.0.101', '10.0.0.2']))).toBe('10.0.0.3');
  });

  it('returns null on an exhausted /30', () => {
    const p = r(pools('10.0.0.0/30', '10.0.0.1'));
    expect(firstFreeIp(4, p, new Set(['10.0.0.2']))).toBeNull();
    expect(firstFreeIp(4, p, buildUsedIndex(['10.0.0.2']))).toBeNull();
  });

  it('allocates canonical IPv6 text from a /64', () => {
    const p = r(pools('2001:db8::/64', '2001:db8::1'));
    expect(poolsSize(p)).toBe((1n << 64n) - 2n);
    expect(firstFreeIp(6, p, new Set(['2001:db8::2', '2001:db8::3']))).toBe('2001:db8::4');
    expect(firstFreeIp(6, p, (t) => t === '2001:db8::2')).toBe('2001:db8::3');
  });

  it('skips a long run of used addresses in O(log n) with an index', () => {
    const used: bigint[] = [];
    for (let v = ip('10.0.0.2').value; v <= ip('10.0.254.254').value; v++) used.push(v);
    const index = buildUsedIndex(used);
    expect(index.starts).toHaveLength(1);
    const p = r(pools('10.0.0.0/16', '10.0.0.1'));
    expect(firstFreeIp(4, p, index)).toBe('10.0.254.255');
    expect(isIpUsed(index, '10.0.3.3')).toBe(true);
    expect(isIpUsed(index, '10.0.255.1')).toBe(false);
  });

  it('counts addresses picked earlier in the same command as taken', () => {
    const p = r([{ start: '10.0.0.2', end: '10.0.0.9' }]);
    expect(firstFreeIp(4, p, withTaken(new Set(['10.0.0.2']), new Set(['10.0.0.3'])))).toBe('10.0.0.4');
    expect(firstFreeIp(4, p, withTaken(buildUsedIndex(['10.0.0.2', '10.0.0.4']), new Set(['10.0.0.3'])))).toBe('10.0.0.5');
  });

  it('merges neighbours when an address is added to an index', () => {
    const index = addToIndex(buildUsedIndex(['10.0.0.2', '10.0.0.4']), ip('10.0.0.3').value);
    expect(index.starts).toEqual([ip('10.0.0.2').value]);
    expect(index.ends).toEqual([ip('10.0.0.4').value]);
    expect(addToIndex(index, ip('10.0.0.3').value)).toBe(index);
  });
});

describe('firstFreeIpInPools', () => {
  it('reads pools as events carry them', () => {
    expect(firstFreeIpInPools([{ start: '2001:db8::2', end: '2001:db8::9' }], new Set(['2001:db8::2']))).toBe('2001:db8::3');
    expect(firstFreeIpInPools([], new Set())).toBeNull();
  });

  it('walks a long used run in a set quickly enough for a /16', () => {
    const used = new Set<string>();
    for (let i = 2; i < 65000; i++) used.add(`10.0.${i >> 8}.${i & 255}`);
    const t0 = Date.now();
    expect(firstFreeIpInPools([{ start: '10.0.0.2', end: '10.0.255.254' }], used)).toBe('10.0.253.232');
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
