import { BITS, formatIp, maxValue, parseIp, type Ip, type IpVersion } from './ip';

export interface Cidr {
  readonly version: IpVersion;
  readonly prefixLength: number;
  /** Network address (host bits cleared). */
  readonly first: bigint;
  /** Last address of the block (the IPv4 broadcast address). */
  readonly last: bigint;
  /** Canonical text: network address / prefix length. */
  readonly text: string;
  /** The input had host bits set ('10.0.0.5/24'); `text` has them cleared. */
  readonly hadHostBits: boolean;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; message: string };

/**
 * Parses 'address/prefix'. Like Neutron's create_subnet ("turn the CIDR into a
 * proper subnet"), host bits are cleared rather than refused; `strict` refuses
 * them instead, for callers that must not silently change what was asked for.
 */
export function parseCidr(text: string, opts: { strict?: boolean } = {}): CidrResult {
  const invalid = { ok: false as const, message: `'${text}' is not a valid IP subnet` };
  if (typeof text !== 'string') return invalid;
  const slash = text.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(text);
    if (!ip) return invalid;
    // netaddr's wording, so a client sees what Neutron would have said.
    return { ok: false, message: `'${text}' isn't a recognized IP subnet cidr, '${formatIp(ip)}/${BITS[ip.version]}' is recommended` };
  }
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return invalid;
  const prefixLength = Number(prefixText);
  if (prefixLength > BITS[ip.version]) return invalid;
  const cidr = cidrOf(ip, prefixLength);
  if (opts.strict && cidr.hadHostBits) {
    return { ok: false, message: `'${text}' is not a valid CIDR: host bits are set, '${cidr.text}' is the network` };
  }
  return { ok: true, cidr };
}

function cidrOf(ip: Ip, prefixLength: number): Cidr {
  const hostBits = BigInt(BITS[ip.version] - prefixLength);
  const hostMask = (1n << hostBits) - 1n;
  const first = ip.value & (maxValue(ip.version) ^ hostMask);
  return {
    version: ip.version,
    prefixLength,
    first,
    last: first | hostMask,
    text: `${formatIp({ version: ip.version, value: first })}/${prefixLength}`,
    hadHostBits: first !== ip.value,
  };
}

/** For inputs the domain itself produced or already validated. */
export function mustParseCidr(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.message);
  return r.cidr;
}

export function cidrContains(cidr: Cidr, ip: Ip): boolean {
  return ip.version === cidr.version && ip.value >= cidr.first && ip.value <= cidr.last;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.first <= b.last && b.first <= a.last;
}

/** Number of addresses in the block, as a BigInt (2^64 for an IPv6 /64). */
export const cidrSize = (c: Cidr): bigint => c.last - c.first + 1n;

/**
 * Whether an address may be given to a port (Neutron's check_subnet_ip): inside
 * the block and not the network address; for IPv4 not the broadcast either.
 * IPv6 router ports may take the subnet-router anycast (network) address.
 */
export function isUsableHostIp(cidr: Cidr, ip: Ip, allowNetworkAddress = false): boolean {
  if (!cidrContains(cidr, ip)) return false;
  if (cidr.version === 4) return ip.value !== cidr.first && ip.value !== cidr.last;
  return allowNetworkAddress || ip.value !== cidr.first;
}

/**
 * An allowed-address-pair style value: an address, or an address/prefix kept
 * as given (Neutron stores '10.0.0.5/24' as is), in canonical text either way.
 */
export function canonicalIpOrCidr(text: string): string | null {
  if (typeof text !== 'string') return null;
  const slash = text.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(text);
    return ip ? formatIp(ip) : null;
  }
  const parsed = parseCidr(text);
  const ip = parseIp(text.slice(0, slash));
  return parsed.ok && ip ? `${formatIp(ip)}/${parsed.cidr.prefixLength}` : null;
}
