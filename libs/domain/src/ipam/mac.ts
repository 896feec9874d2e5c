/**
 * MAC addresses: six octets separated by ':' or '-', normalised to lower-case
 * colon form (how Neutron's MACAddressField prints them), so "in use on this
 * network" compares plain strings.
 */
const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

export function parseMac(text: string): number[] | null {
  if (typeof text !== 'string' || !MAC.test(text)) return null;
  return text.split(/[:-]/).map((o) => parseInt(o, 16));
}

export const formatMac = (octets: readonly number[]) => octets.map((o) => o.toString(16).padStart(2, '0')).join(':');

/**
 * The canonical MAC, or null when it can't be a port's address: malformed,
 * all zeros (Neutron refuses 00:00:00:00:00:00 and the broadcast address), or
 * multicast (I/G bit set), which a NIC never uses as its source address.
 */
export function canonicalUnicastMac(text: string): string | null {
  const octets = parseMac(text);
  if (!octets || (octets[0] & 1) === 1 || octets.every((o) => o === 0)) return null;
  return formatMac(octets);
}
