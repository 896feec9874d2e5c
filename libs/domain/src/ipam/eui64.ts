import type { Cidr } from './cidr';
import { formatIp } from './ip';
import { parseMac } from './mac';

/**
 * The SLAAC address a host derives from its MAC (RFC 4291 modified EUI-64):
 * the prefix, then the MAC with ff:fe in the middle and the U/L bit flipped.
 * Neutron records this for ports on SLAAC and DHCPv6-stateless subnets instead
 * of allocating from the pools, since that is the address the guest will use.
 */
export function eui64Address(cidr: Cidr, mac: string): string | null {
  const m = parseMac(mac);
  if (!m || cidr.version !== 6 || cidr.prefixLength > 64) return null;
  const bytes = [m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]];
  const iid = bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  return formatIp({ version: 6, value: cidr.first | iid });
}
