import type { NetworkType } from '@cp/events';
import { badRequest, type Rejection } from '../decider';

export const VLAN_MIN = 1;
export const VLAN_MAX = 4094;

/** One range of VLAN ids a physical network lends to networks created without an id, inclusive. */
export interface VlanRange {
  physnet: string;
  min: number;
  max: number;
}

/** ML2's physical networks, from the settings: `network_vlan_ranges` and `flat_networks`. */
export interface PhysicalNetworks {
  /** Physical networks VLAN networks may use, in configured order, each once. */
  vlanPhysnets: readonly string[];
  /** Their allocation pools, in configured order; a physnet configured bare has none. */
  vlanRanges: readonly VlanRange[];
  /** Physical networks flat networks may use: `'*'` any, `[]` none (flat networks disabled). */
  flatNetworks: '*' | readonly string[];
}

/**
 * The type drivers' physical-network rules (ML2's validate_provider_segment) for a new
 * network: a VLAN or flat network names a configured physical network, and a VLAN id
 * needs a physical network. Ranges of ids are the decider's (validateSegment); an id
 * outside the pools is still allowed, as Neutron lets admins choose one.
 */
export function checkPhysicalNetwork(
  type: NetworkType,
  physnet: string | null,
  segmentationId: number | null,
  config: PhysicalNetworks,
): Rejection | null {
  if (type === 'vlan') {
    if (physnet !== null && !config.vlanPhysnets.includes(physnet)) {
      return badRequest(`physical_network '${physnet}' unknown for VLAN provider network`, 'InvalidInput');
    }
    if (physnet === null && segmentationId !== null) {
      return badRequest('segmentation_id requires physical_network for VLAN provider network', 'InvalidInput');
    }
  } else if (type === 'flat') {
    if (physnet === null) return badRequest('physical_network required for flat provider network', 'InvalidInput');
    if (config.flatNetworks !== '*' && config.flatNetworks.length === 0) {
      return badRequest('Flat provider networks are disabled', 'InvalidInput');
    }
    if (config.flatNetworks !== '*' && !config.flatNetworks.includes(physnet)) {
      return badRequest(`physical_network '${physnet}' unknown for flat provider network`, 'InvalidInput');
    }
  }
  return null;
}

/**
 * Where a VLAN network without an id takes one from, in the order to try: the named
 * physical network's ranges, or with none named every physical network's, in configured
 * order. Within a physical network the lower ranges come first, so the lowest free VLAN
 * is taken whatever order its ranges were written in.
 */
export function vlanPools(config: PhysicalNetworks, physnet: string | null): VlanRange[] {
  const physnets = physnet === null ? config.vlanPhysnets : [physnet];
  return physnets.flatMap((p) => config.vlanRanges.filter((r) => r.physnet === p).sort((a, b) => a.min - b.min || a.max - b.max));
}
