import { VLAN_MAX, VLAN_MIN, type PhysicalNetworks, type VlanRange } from '@cp/domain';

/** The column and API limit on a physical network's name. */
const MAX_NAME = 64;

function physnetName(name: string, entry: string): string {
  if (name === '') throw new Error(`entry '${entry}': physical network name is empty`);
  if (name.length > MAX_NAME) throw new Error(`entry '${entry}': physical network name is longer than ${MAX_NAME}`);
  return name;
}

/** Comma-separated entries, trimmed; an empty setting is an empty list, as for Neutron's list options. */
function entries(text: string): string[] {
  return text.trim() === '' ? [] : text.split(',').map((e) => e.trim());
}

function vlanTag(text: string, entry: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= VLAN_MIN && n <= VLAN_MAX)) throw new Error(`entry '${entry}': ${text} is not a valid VLAN tag (${VLAN_MIN}-${VLAN_MAX})`);
  return n;
}

/**
 * Neutron's `network_vlan_ranges`: `physnet` or `physnet:min:max` entries. A physnet may
 * come several times with several ranges; one named bare takes VLAN networks with a given
 * id but lends none. Throws naming the bad entry, so the process refuses to start.
 */
export function parseNetworkVlanRanges(text: string): Pick<PhysicalNetworks, 'vlanPhysnets' | 'vlanRanges'> {
  const vlanPhysnets: string[] = [];
  const vlanRanges: VlanRange[] = [];
  for (const entry of entries(text)) {
    const parts = entry.split(':');
    if (parts.length !== 1 && parts.length !== 3) throw new Error(`entry '${entry}': expected physnet or physnet:min:max`);
    const physnet = physnetName(parts[0].trim(), entry);
    if (!vlanPhysnets.includes(physnet)) vlanPhysnets.push(physnet);
    if (parts.length === 1) continue;
    const [min, max] = [vlanTag(parts[1].trim(), entry), vlanTag(parts[2].trim(), entry)];
    if (max < min) throw new Error(`entry '${entry}': end of VLAN range is less than its start`);
    vlanRanges.push({ physnet, min, max });
  }
  return { vlanPhysnets, vlanRanges };
}

/** Neutron's `flat_networks`: physnet names, `*` for any, empty to disable flat networks. */
export function parseFlatNetworks(text: string): PhysicalNetworks['flatNetworks'] {
  const names = entries(text);
  if (names.includes('*')) return '*';
  return names.map((name) => physnetName(name, name));
}
