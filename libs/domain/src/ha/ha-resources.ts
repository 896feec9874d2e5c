import type { NetworkData } from '../network';
import type { CreateSubnetData } from '../subnet';
import type { HaNetworkInfo } from './ha-network.decider';

/**
 * The ordinary Neutron resources behind HA routers, as requests to the network,
 * subnet and port deciders: the HA network with its subnet, and one HA port per
 * hosting agent. Neutron owns them by no tenant (tenant_id ''), so only admins
 * list them; `haNetworkOf` records the project they serve.
 */
export const HA_NETWORK_CIDR = '169.254.192.0/18';
export const HA_DEVICE_OWNER = 'network:router_ha_interface';
/** Addresses per VRID block: a router's HA ports sit at 169.254.192.0 + vrid * 64 + slot. */
export const HA_SLOTS_PER_ROUTER = 63;

/** Neutron's names (l3_hamode_db), which still say "tenant"; a project's further HA networks (past 255 routers) are numbered. */
const suffix = (index: number) => (index === 0 ? '' : ` ${index + 1}`);
export const haNetworkName = (projectId: string, index: number) => `HA network tenant ${projectId}${suffix(index)}`;
export const haSubnetName = (projectId: string, index: number) => `HA subnet tenant ${projectId}${suffix(index)}`;
export const haPortName = (projectId: string) => `HA port tenant ${projectId}`;

export interface HaNetworkSpec {
  networkId: string;
  subnetId: string;
  /** The project the HA network serves (not its owner, which is ''). */
  projectId: string;
  index: number;
  segmentationId: number;
  mtu: number;
}

/** What the scheduler asks the network, subnet and HA network deciders to create for a project's HA network. */
export function haNetworkRequests(spec: HaNetworkSpec): { network: NetworkData; subnet: CreateSubnetData; haNetwork: HaNetworkInfo } {
  const { networkId, subnetId, projectId, index } = spec;
  return {
    network: {
      id: networkId,
      projectId: '',
      name: haNetworkName(projectId, index),
      description: '',
      adminStateUp: true,
      shared: false,
      external: false,
      mtu: spec.mtu,
      networkType: 'vxlan',
      segmentationId: spec.segmentationId,
      physicalNetwork: null,
      haNetworkOf: projectId,
    },
    subnet: {
      id: subnetId,
      networkId,
      projectId: '',
      ipVersion: 4,
      cidr: HA_NETWORK_CIDR,
      ipv6AddressMode: null,
      ipv6RaMode: null,
      name: haSubnetName(projectId, index),
      description: '',
      gatewayIp: null,
      allocationPools: [{ start: '169.254.192.1', end: '169.254.255.254' }],
      enableDhcp: false,
      dnsNameservers: [],
      hostRoutes: [],
    },
    haNetwork: { projectId, id: networkId, networkId, subnetId, cidr: HA_NETWORK_CIDR, name: haNetworkName(projectId, index), index },
  };
}

/**
 * The HA port's address and MAC follow from (VRID, slot): VRIDs are unique per HA
 * network (its stream guards that) and slots per router (the router's stream), so
 * addresses and MACs are unique per HA network without a third allocator. VRID 0
 * is never used, so the network address is never handed out; slot < 63 keeps the
 * last address (broadcast) free.
 */
export function haPortAddress(vrid: number, slot: number): { ipAddress: string; macAddress: string } {
  if (!Number.isInteger(slot) || slot < 0 || slot >= HA_SLOTS_PER_ROUTER) throw new RangeError(`HA port slot ${slot} out of range`);
  const offset = vrid * 64 + slot;
  const mac = (0xc00000 | offset).toString(16).padStart(6, '0');
  return {
    // offset < 2^14, so it only touches the last 14 bits of 169.254.192.0/18.
    ipAddress: `169.254.${192 + (offset >> 8)}.${offset & 255}`,
    macAddress: `fa:16:3e:${mac.slice(0, 2)}:${mac.slice(2, 4)}:${mac.slice(4, 6)}`,
  };
}

export interface HaPortSpec {
  portId: string;
  haNetworkId: string;
  subnetId: string;
  routerId: string;
  projectId: string;
  host: string;
  vrid: number;
  slot: number;
}

/**
 * The HA port for one (router, agent) binding, as a port create request: owned
 * by no tenant, bound to the agent's host at creation, without port security,
 * at the address and MAC its (VRID, slot) gives. The port decider checks it
 * like any other port.
 */
export function haPortRequest(spec: HaPortSpec) {
  const { ipAddress, macAddress } = haPortAddress(spec.vrid, spec.slot);
  return {
    id: spec.portId,
    networkId: spec.haNetworkId,
    projectId: '',
    name: haPortName(spec.projectId),
    deviceId: spec.routerId,
    deviceOwner: HA_DEVICE_OWNER,
    hostId: spec.host,
    macAddress,
    fixedIps: [{ subnetId: spec.subnetId, ipAddress }],
    securityGroups: [],
    portSecurityEnabled: false,
  };
}
