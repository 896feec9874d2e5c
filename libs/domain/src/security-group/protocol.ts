import { badRequest, type Rejection } from '../decider';

/** neutron-lib's IP_PROTOCOL_MAP: the names the API accepts, with their numbers. */
const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  ah: 51,
  dccp: 33,
  egp: 8,
  esp: 50,
  gre: 47,
  hopopt: 0,
  icmp: 1,
  igmp: 2,
  ip: 0,
  ipip: 4,
  'ipv6-encap': 41,
  'ipv6-frag': 44,
  'ipv6-icmp': 58,
  icmpv6: 58, // legacy alias Neutron still accepts
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  'ipv6-route': 43,
  ospf: 89,
  pgm: 113,
  rsvp: 46,
  sctp: 132,
  tcp: 6,
  udp: 17,
  udplite: 136,
  vrrp: 112,
};

/** Protocols whose port range means ports (Neutron's SG_PORT_PROTO_NUMS: tcp, udp, udplite, sctp, dccp). */
export const PORT_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 136, 132, 33]);
/** Protocols whose port range means ICMP type and code. */
export const ICMP_PROTOCOLS: ReadonlySet<number> = new Set([1, 58]);
/** IPv6 extension headers and ICMPv6 make no sense in an IPv4 rule. */
const IPV6_ONLY_PROTOCOLS: ReadonlySet<number> = new Set([41, 43, 44, 58, 59, 60]);

const SUPPORTED = `[None, ${Object.keys(PROTOCOL_NUMBERS).join(', ')}]`;

/**
 * Neutron's `convert_protocol` plus its IPv6 ICMP canonicalisation: names are
 * lower-cased, numbers become decimal strings (stored as text, as Neutron does),
 * `any` means every protocol, and `icmp` / `icmpv6` / `1` in an IPv6 rule become
 * `ipv6-icmp` / `58`.
 */
export function convertProtocol(value: string | number | null, ethertype: 'IPv4' | 'IPv6'): string | null | Rejection {
  if (value === null || (typeof value === 'string' && value.toLowerCase() === 'any')) return null;
  let protocol: string;
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 255) return invalidProtocol(value);
    protocol = String(n);
  } else {
    protocol = value.toLowerCase();
    if (!(protocol in PROTOCOL_NUMBERS)) return invalidProtocol(value);
  }
  if (ethertype === 'IPv6') {
    if (protocol === 'icmp' || protocol === 'icmpv6') return 'ipv6-icmp';
    if (protocol === '1') return '58';
  }
  return protocol;
}

/** The IP protocol number of a converted protocol (null = any). */
export function protocolNumber(protocol: string | null): number | null {
  if (protocol === null) return null;
  return protocol in PROTOCOL_NUMBERS ? PROTOCOL_NUMBERS[protocol] : Number(protocol);
}

export function checkEthertypeAllowsProtocol(ethertype: 'IPv4' | 'IPv6', protocol: string | null): Rejection | null {
  const n = protocolNumber(protocol);
  if (ethertype === 'IPv4' && n !== null && IPV6_ONLY_PROTOCOLS.has(n)) {
    return badRequest(`Invalid ethertype ${ethertype} for protocol ${protocol}.`, 'SecurityGroupEthertypeConflictWithProtocol');
  }
  return null;
}

function invalidProtocol(value: string | number): Rejection {
  return badRequest(
    `Security group rule protocol ${value} not supported. Only protocol values ${SUPPORTED} and integer representations [0 to 255] are supported.`,
    'SecurityGroupRuleInvalidProtocol',
  );
}
