import { firstFreeIp, isIpUsed, withTaken } from './allocate';
import { availability, firstFreeInRanges, freeRangesOf, subtractAddresses } from './availability';
import { parseIp } from './ip';
import { poolsToRanges } from './pools';

const v = (text: string) => parseIp(text)!.value;
const range = (start: string, end: string) => ({ start: v(start), end: v(end) });

describe('freeRangesOf', () => {
  it('cuts used addresses out of each pool and keeps pool order and index', () => {
    const pools = [range('10.0.0.100', '10.0.0.103'), range('10.0.0.2', '10.0.0.5')];
    expect(freeRangesOf(pools, [v('10.0.0.101'), v('10.0.0.2'), v('10.0.0.5'), v('10.0.0.50')])).toEqual([
      { pool: 0, ...range('10.0.0.100', '10.0.0.100') },
      { pool: 0, ...range('10.0.0.102', '10.0.0.103') },
      { pool: 1, ...range('10.0.0.3', '10.0.0.4') },
    ]);
  });

  it('drops a pool that is wholly used and keeps adjacent pools apart', () => {
    const pools = [range('10.0.0.2', '10.0.0.3'), range('10.0.0.4', '10.0.0.9')];
    expect(freeRangesOf(pools, [v('10.0.0.2'), v('10.0.0.3')])).toEqual([{ pool: 1, ...range('10.0.0.4', '10.0.0.9') }]);
    expect(freeRangesOf(pools, [])).toHaveLength(2);
  });

  it('is the same whatever order the used addresses come in, duplicates included', () => {
    const pools = [range('10.0.0.2', '10.0.0.254')];
    const used = [7, 3, 200, 3, 4, 254, 2].map((n) => v(`10.0.0.${n}`));
    expect(freeRangesOf(pools, used)).toEqual(freeRangesOf(pools, [...used].reverse()));
  });
});

describe('subtractAddresses', () => {
  it('splits ranges around values and leaves the rest', () => {
    const ranges = [range('10.0.0.2', '10.0.0.9'), range('10.0.1.1', '10.0.1.1')];
    expect(subtractAddresses(ranges, [v('10.0.0.2'), v('10.0.0.5'), v('10.0.1.1')])).toEqual([
      range('10.0.0.3', '10.0.0.4'),
      range('10.0.0.6', '10.0.0.9'),
    ]);
    expect(subtractAddresses(ranges, [])).toEqual(ranges);
  });
});

describe('firstFreeInRanges', () => {
  it('walks pools in the order given, whatever order the ranges come in', () => {
    const pools = [range('10.0.0.100', '10.0.0.101'), range('10.0.0.2', '10.0.0.9')];
    expect(firstFreeInRanges(pools, [range('10.0.0.3', '10.0.0.9'), range('10.0.0.101', '10.0.0.101')])).toBe(v('10.0.0.101'));
    expect(firstFreeInRanges(pools, [range('10.0.0.7', '10.0.0.9'), range('10.0.0.3', '10.0.0.4')])).toBe(v('10.0.0.3'));
    expect(firstFreeInRanges(pools, [])).toBeNull();
  });

  it('ignores what lies outside the pools (the pools changed under an old range)', () => {
    expect(firstFreeInRanges([range('10.0.0.5', '10.0.0.9')], [range('10.0.0.2', '10.0.0.6')])).toBe(v('10.0.0.5'));
    expect(firstFreeInRanges([range('10.0.0.5', '10.0.0.9')], [range('10.0.0.2', '10.0.0.4')])).toBeNull();
  });
});

describe('allocation from free ranges', () => {
  const pools = poolsToRanges([{ start: '10.0.0.2', end: '10.0.0.254' }]);

  it('takes the first free address and answers lookups from the addresses looked up', () => {
    const used = availability([range('10.0.0.7', '10.0.0.9'), range('10.0.0.20', '10.0.0.254')], ['10.0.0.3']);
    expect(firstFreeIp(4, pools, used)).toBe('10.0.0.7');
    expect(isIpUsed(used, '10.0.0.3')).toBe(true);
    expect(isIpUsed(used, '10.0.0.8')).toBe(false);
  });

  it('counts addresses picked earlier in the same command as taken', () => {
    const used = withTaken(availability([range('10.0.0.7', '10.0.0.8')]), new Set(['10.0.0.7']));
    expect(firstFreeIp(4, pools, used)).toBe('10.0.0.8');
    expect(isIpUsed(used, '10.0.0.7')).toBe(true);
    expect(firstFreeIp(4, pools, withTaken(used, new Set(['10.0.0.8'])))).toBeNull();
  });

  it('allocates canonical IPv6 text from a /64 range', () => {
    const p6 = poolsToRanges([{ start: '2001:db8::2', end: '2001:db8::ffff:ffff:ffff:ffff' }]);
    const used = availability([{ start: v('2001:db8::5'), end: v('2001:db8::ffff:ffff:ffff:ffff') }]);
    expect(firstFreeIp(6, p6, used)).toBe('2001:db8::5');
  });
});
