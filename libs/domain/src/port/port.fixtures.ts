/** Shared data for the port decider specs. */
import type { NetworkData } from '../network/network.decider';
import type { SubnetData } from '../subnet/subnet.decider';
import type { CreatePortData, CreatePortFacts, PortData } from './port.types';

export const network: NetworkData = {
  id: 'n1',
  projectId: 'p1',
  name: 'private',
  description: '',
  adminStateUp: true,
  shared: false,
  external: false,
  mtu: 1450,
  networkType: 'vxlan',
  segmentationId: 1001,
  physicalNetwork: null,
};

const subnetBase = {
  networkId: 'n1',
  projectId: 'p1',
  name: '',
  description: '',
  ipv6AddressMode: null,
  ipv6RaMode: null,
  enableDhcp: true,
  dnsNameservers: [],
  hostRoutes: [],
};
export const s4: SubnetData = {
  ...subnetBase,
  id: 's4',
  ipVersion: 4,
  cidr: '10.0.0.0/24',
  gatewayIp: '10.0.0.1',
  allocationPools: [{ start: '10.0.0.2', end: '10.0.0.254' }],
};
export const s4b: SubnetData = {
  ...subnetBase,
  id: 's4b',
  ipVersion: 4,
  cidr: '10.0.1.0/24',
  gatewayIp: '10.0.1.1',
  allocationPools: [{ start: '10.0.1.2', end: '10.0.1.254' }],
};
/** A /30: one usable pool address once the gateway is taken out. */
export const s30: SubnetData = {
  ...subnetBase,
  id: 's30',
  ipVersion: 4,
  cidr: '192.168.9.0/30',
  gatewayIp: '192.168.9.1',
  allocationPools: [{ start: '192.168.9.2', end: '192.168.9.2' }],
};
export const s6: SubnetData = {
  ...subnetBase,
  id: 's6',
  ipVersion: 6,
  cidr: '2001:db8::/64',
  gatewayIp: '2001:db8::1',
  ipv6AddressMode: 'dhcpv6-stateful',
  ipv6RaMode: 'dhcpv6-stateful',
  allocationPools: [{ start: '2001:db8::2', end: '2001:db8::ffff:ffff:ffff:ffff' }],
};
export const slaac: SubnetData = {
  ...subnetBase,
  id: 'slaac',
  ipVersion: 6,
  cidr: '2001:db8:1::/64',
  gatewayIp: '2001:db8:1::1',
  ipv6AddressMode: 'slaac',
  ipv6RaMode: 'slaac',
  allocationPools: [{ start: '2001:db8:1::2', end: '2001:db8:1::ffff:ffff:ffff:ffff' }],
};

export const MAC = 'fa:16:3e:11:22:33';

export const request: CreatePortData = {
  id: 'port1',
  projectId: 'p1',
  networkId: 'n1',
  name: 'vm1',
  description: '',
  adminStateUp: true,
  macAddress: MAC,
  macGenerated: true,
  deviceId: 'vm-1',
  deviceOwner: 'compute:nova',
  hostId: '',
  vnicType: 'normal',
  securityGroups: ['sg-default'],
  portSecurityEnabled: true,
  allowedAddressPairs: [],
};

export const facts: CreatePortFacts = {
  network,
  subnets: [s4],
  usedIps: {},
  macInUse: false,
  missingSecurityGroups: [],
};

/** The PortCreated data for `request` on s4 with the first pool address. */
export const created: PortData = {
  id: 'port1',
  networkId: 'n1',
  projectId: 'p1',
  name: 'vm1',
  description: '',
  adminStateUp: true,
  deviceId: 'vm-1',
  deviceOwner: 'compute:nova',
  fixedIps: [{ subnetId: 's4', ipAddress: '10.0.0.2' }],
  securityGroups: ['sg-default'],
  portSecurityEnabled: true,
  allowedAddressPairs: [],
  macAddress: MAC,
  vnicType: 'normal',
  hostId: '',
};

export const ref = { id: 'port1', networkId: 'n1', projectId: 'p1' };
