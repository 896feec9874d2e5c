import ipaddr from 'ipaddr.js';

/**
 * IP addresses as (version, BigInt) pairs. BigInt keeps IPv4 and IPv6 arithmetic
 * on one code path; text is always produced by `formatIp`, so every address the
 * domain stores or compares is in one canonical form (dotted quad, or RFC 5952
 * compressed lower-case IPv6) and uniqueness checks can compare plain strings.
 */
export type IpVersion = 4 | 6;
export interface Ip {
  readonly version: IpVersion;
  readonly value: bigint;
}

export const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };
export const maxValue = (version: IpVersion): bigint => (1n << BigInt(BITS[version])) - 1n;

/**
 * Strict parse: IPv4 only as four decimal octets (ipaddr.js would also take
 * '10', '0x0a.0.0.1' or octal parts, which netaddr-based Neutron rejects), IPv6
 * without a zone id. Returns null when the text is not an address.
 */
export function parseIp(text: string): Ip | null {
  if (typeof text !== 'string') return null;
  const fast = parseDottedQuad(text);
  if (fast !== null) return fast;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const octets = ipaddr.IPv4.parse(text).octets;
    return { version: 4, value: octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n) };
  }
  if (!text.includes('%') && ipaddr.IPv6.isValid(text)) {
    const parts = ipaddr.IPv6.parse(text).parts;
    return { version: 6, value: parts.reduce((acc, p) => (acc << 16n) | BigInt(p), 0n) };
  }
  return null;
}

const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/**
 * The common case (canonical dotted quad, as every stored address is) without
 * ipaddr.js: IPAM parses every address taken on a subnet for each allocation.
 * It accepts a subset of what the strict parse accepts, with the same value;
 * anything else (including octets over 255) goes to the strict parse.
 */
function parseDottedQuad(text: string): Ip | null {
  const m = DOTTED_QUAD.exec(text);
  if (!m) return null;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return { version: 4, value: BigInt(value) };
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

export function formatIp(ip: Ip): string {
  if (ip.version === 4) {
    const v = Number(ip.value);
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  // IPv4-mapped addresses keep the dotted tail, as netaddr (and so Neutron) prints them.
  if (ip.value >> 32n === 0xffffn) {
    return `::ffff:${formatIp({ version: 4, value: ip.value - V4_MAPPED_PREFIX })}`;
  }
  const parts: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) parts.push(Number((ip.value >> shift) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** The canonical text of an address, or null when it is not one. */
export function canonicalIp(text: string): string | null {
  const ip = parseIp(text);
  return ip ? formatIp(ip) : null;
}

export function compareIp(a: Ip, b: Ip): number {
  if (a.version !== b.version) return a.version - b.version;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
