import ipaddr from 'ipaddr.js';
import { canonicalIpOrCidr, cidrsOverlap, isUsableHostIp, mustParseCidr, parseCidr } from './cidr';
import { eui64Address } from './eui64';
import { canonicalIp, formatIp, parseIp } from './ip';
import { canonicalUnicastMac } from './mac';

describe('IP addresses', () => {
  it('accepts only four-part decimal IPv4, as netaddr does', () => {
    expect(canonicalIp('10.0.0.1')).toBe('10.0.0.1');
    for (const bad of ['010.0.0.1', '10.0.0', '10', '0x0a.0.0.1', '10.0.0.256', ' 10.0.0.1', '']) {
      expect(canonicalIp(bad)).toBeNull();
    }
  });

  it('parses dotted quads to the value ipaddr.js gives, on its fast path too', () => {
    const slow = (t: string) =>
      ipaddr.IPv4.isValidFourPartDecimal(t)
        ? BigInt(
            ipaddr.IPv4.parse(t)
              .toByteArray()
              .reduce((a, o) => a * 256 + o, 0),
          )
        : null;
    for (const t of [
      '0.0.0.0',
      '10.0.0.1',
      '255.255.255.255',
      '192.168.10.254',
      '1.22.133.4',
      '256.0.0.1',
      '10.0.0.1000',
      '1.2.3.04',
      '1.2.3.4 ',
      '１.2.3.4',
    ]) {
      expect(parseIp(t)?.value ?? null).toBe(slow(t));
    }
  });

  it('prints IPv6 in RFC 5952 compressed lower case, so equal addresses are equal strings', () => {
    expect(canonicalIp('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalIp('::')).toBe('::');
    expect(canonicalIp('::ffff:1.2.3.4')).toBe('::ffff:1.2.3.4');
  });

  it('rejects zone ids and malformed IPv6', () => {
    for (const bad of ['fe80::1%eth0', '2001:db8::1::1', '2001:db8:0:0:0:0:0:0:1', 'g::1']) expect(parseIp(bad)).toBeNull();
  });

  it('round-trips the extremes through BigInt', () => {
    expect(formatIp({ version: 4, value: 0xffffffffn })).toBe('255.255.255.255');
    expect(formatIp({ version: 6, value: (1n << 128n) - 1n })).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  });
});

describe('CIDRs', () => {
  it('clears host bits like Neutron create_subnet, and says so', () => {
    const r = parseCidr('10.0.0.5/24');
    expect(r.ok && r.cidr.text).toBe('10.0.0.0/24');
    expect(r.ok && r.cidr.hadHostBits).toBe(true);
    expect(parseCidr('2001:DB8::1/64')).toMatchObject({ ok: true, cidr: { text: '2001:db8::/64', prefixLength: 64 } });
  });

  it('refuses host bits in strict mode with a message naming the network', () => {
    expect(parseCidr('10.0.0.5/24', { strict: true })).toEqual({
      ok: false,
      message: "'10.0.0.5/24' is not a valid CIDR: host bits are set, '10.0.0.0/24' is the network",
    });
  });

  it('explains a missing prefix and refuses bad ones', () => {
    expect(parseCidr('10.0.2.0')).toEqual({
      ok: false,
      message: "'10.0.2.0' isn't a recognized IP subnet cidr, '10.0.2.0/32' is recommended",
    });
    for (const bad of ['10.0.0.0/33', '10.0.0.0/024', '10.0.0.0/', 'abc/24', '2001:db8::/129']) {
      expect(parseCidr(bad)).toEqual({ ok: false, message: `'${bad}' is not a valid IP subnet` });
    }
  });

  it('detects overlap in either direction and never across versions', () => {
    const c = (t: string) => mustParseCidr(t);
    expect(cidrsOverlap(c('10.0.0.0/24'), c('10.0.0.128/25'))).toBe(true);
    expect(cidrsOverlap(c('10.0.0.128/25'), c('10.0.0.0/16'))).toBe(true);
    expect(cidrsOverlap(c('10.0.0.0/24'), c('10.0.1.0/24'))).toBe(false);
    expect(cidrsOverlap(c('2001:db8::/64'), c('2001:db8::/48'))).toBe(true);
    expect(cidrsOverlap(c('0.0.0.0/1'), c('::/1'))).toBe(false);
  });

  it('keeps network and IPv4 broadcast addresses off ports', () => {
    const v4 = mustParseCidr('10.0.0.0/24');
    expect(isUsableHostIp(v4, parseIp('10.0.0.0')!)).toBe(false);
    expect(isUsableHostIp(v4, parseIp('10.0.0.255')!)).toBe(false);
    expect(isUsableHostIp(v4, parseIp('10.0.0.254')!)).toBe(true);
    expect(isUsableHostIp(v4, parseIp('10.0.1.1')!)).toBe(false);
    const v6 = mustParseCidr('2001:db8::/64');
    expect(isUsableHostIp(v6, parseIp('2001:db8::')!)).toBe(false);
    expect(isUsableHostIp(v6, parseIp('2001:db8::')!, true)).toBe(true);
    expect(isUsableHostIp(v6, parseIp('2001:db8::ffff:ffff:ffff:ffff')!)).toBe(true);
  });

  it('keeps allowed-address-pair prefixes as given, in canonical text', () => {
    expect(canonicalIpOrCidr('10.0.0.5/24')).toBe('10.0.0.5/24');
    expect(canonicalIpOrCidr('2001:DB8::5')).toBe('2001:db8::5');
    expect(canonicalIpOrCidr('2001:DB8::5/64')).toBe('2001:db8::5/64');
    expect(canonicalIpOrCidr('10.0.0.5/40')).toBeNull();
  });
});

describe('MAC addresses and EUI-64', () => {
  it('normalises to lower-case colon form and refuses non-unicast', () => {
    expect(canonicalUnicastMac('FA-16-3E-00-AB-01')).toBe('fa:16:3e:00:ab:01');
    for (const bad of [
      'fa:16:3e:0:0:1',
      '01:00:5e:00:00:01',
      '00:00:00:00:00:00',
      'ff:ff:ff:ff:ff:ff',
      'fa:16:3e-00:00:01',
      'fa163e000001',
    ]) {
      expect(canonicalUnicastMac(bad)).toBeNull();
    }
  });

  it('derives the SLAAC address a guest will configure', () => {
    expect(eui64Address(mustParseCidr('2001:db8::/64'), 'fa:16:3e:11:22:33')).toBe('2001:db8::f816:3eff:fe11:2233');
    expect(eui64Address(mustParseCidr('10.0.0.0/24'), 'fa:16:3e:11:22:33')).toBeNull();
  });
});
