import type { DataOf, DomainEventBody, NetworkType } from '@cp/events';

/*
 * Plain event bodies, valid per the catalogue's zod schemas (the store validates
 * them when they are read back), with the defaults a test rarely cares about.
 */
export const PROJECT = 'p1';
export const HA_OWNER = 'network:ha_router_replicated_interface';

export function network(id: string, networkType: NetworkType = 'vxlan', segmentationId: number | null = 1000): DomainEventBody {
  const physicalNetwork = networkType === 'vlan' || networkType === 'flat' ? 'physnet1' : null;
  return {
    type: 'NetworkCreated',
    data: {
      id,
      projectId: PROJECT,
      name: id,
      description: '',
      adminStateUp: true,
      shared: false,
      external: false,
      mtu: 1450,
      networkType,
      segmentationId: networkType === 'flat' || networkType === 'local' ? null : segmentationId,
      physicalNetwork,
    },
  };
}

export function networkDeleted(id: string, networkType: NetworkType = 'vxlan', segmentationId: number | null = 1000): DomainEventBody {
  return { type: 'NetworkDeleted', data: { id, projectId: PROJECT, networkType, segmentationId } };
}

export interface PortSpec {
  mac?: string;
  ips?: string[];
  pairs?: string[];
  groups?: string[];
  host?: string;
  owner?: string;
}

export function port(id: string, networkId: string, spec: PortSpec = {}): DomainEventBody {
  return {
    type: 'PortCreated',
    data: {
      id,
      networkId,
      projectId: PROJECT,
      name: id,
      description: '',
      adminStateUp: true,
      deviceId: '',
      deviceOwner: spec.owner ?? 'compute:nova',
      fixedIps: (spec.ips ?? []).map((ipAddress) => ({ subnetId: `sub-${networkId}`, ipAddress })),
      securityGroups: spec.groups ?? [],
      portSecurityEnabled: true,
      allowedAddressPairs: (spec.pairs ?? []).map((ipAddress) => ({ ipAddress, macAddress: spec.mac ?? 'fa:16:3e:00:00:00' })),
      macAddress: spec.mac ?? 'fa:16:3e:00:00:00',
      vnicType: 'normal',
      hostId: spec.host ?? '',
    },
  };
}

type PortChanges = DataOf<'PortUpdated'>['changes'];
export function portUpdated(id: string, networkId: string, changes: PortChanges): DomainEventBody {
  return { type: 'PortUpdated', data: { id, networkId, projectId: PROJECT, changes } };
}
export const fixedIps = (networkId: string, ips: string[]) => ips.map((ipAddress) => ({ subnetId: `sub-${networkId}`, ipAddress }));

export function bound(id: string, networkId: string, host: string, previousHost = ''): DomainEventBody {
  return { type: 'PortBoundToHost', data: { id, networkId, projectId: PROJECT, host, previousHost } };
}
export function unbound(id: string, networkId: string, previousHost: string): DomainEventBody {
  return { type: 'PortUnbound', data: { id, networkId, projectId: PROJECT, previousHost } };
}
export function up(id: string, networkId: string, host: string): DomainEventBody {
  return { type: 'PortActivated', data: { id, networkId, projectId: PROJECT, host } };
}
export function down(id: string, networkId: string, host: string): DomainEventBody {
  return { type: 'PortDeactivated', data: { id, networkId, projectId: PROJECT, host } };
}
export function portDeleted(id: string, networkId: string, host = ''): DomainEventBody {
  return { type: 'PortDeleted', data: { id, networkId, projectId: PROJECT, host } };
}

export const L2_AGENT = 'Open vSwitch agent';
const agentConfig = (tunnelIp: string | null) => ({
  binary: 'neutron-openvswitch-agent',
  topic: 'N/A',
  tunnelIp,
  availabilityZone: null,
  configurations: tunnelIp ? { tunneling_ip: tunnelIp, tunnel_types: ['vxlan'] } : {},
});
export function agent(host: string, tunnelIp: string | null, agentType = L2_AGENT): DomainEventBody {
  return { type: 'AgentRegistered', data: { id: `agent-${agentType.split(' ')[0]}-${host}`, agentType, host, ...agentConfig(tunnelIp) } };
}
export function agentChanged(host: string, tunnelIp: string | null, agentType = L2_AGENT): DomainEventBody {
  return {
    type: 'AgentConfigurationChanged',
    data: { id: `agent-${agentType.split(' ')[0]}-${host}`, agentType, host, ...agentConfig(tunnelIp) },
  };
}
export function agentDeleted(host: string, agentType = L2_AGENT): DomainEventBody {
  return { type: 'AgentDeleted', data: { id: `agent-${agentType.split(' ')[0]}-${host}`, agentType, host } };
}

export function group(id: string, isDefault = false): DomainEventBody {
  return {
    type: 'SecurityGroupCreated',
    data: { id, projectId: PROJECT, name: isDefault ? 'default' : id, description: '', isDefault, stateful: true },
  };
}
export function groupDeleted(id: string): DomainEventBody {
  return { type: 'SecurityGroupDeleted', data: { id, projectId: PROJECT } };
}
export function rule(
  id: string,
  securityGroupId: string,
  remoteGroupId: string | null,
  ethertype: 'IPv4' | 'IPv6' = 'IPv4',
  direction: 'ingress' | 'egress' = 'ingress',
): DomainEventBody {
  return {
    type: 'SecurityGroupRuleCreated',
    data: {
      id,
      securityGroupId,
      projectId: PROJECT,
      direction,
      ethertype,
      protocol: null,
      portRangeMin: null,
      portRangeMax: null,
      remoteIpPrefix: null,
      remoteGroupId,
      description: '',
    },
  };
}
export function ruleDeleted(id: string, securityGroupId: string): DomainEventBody {
  return { type: 'SecurityGroupRuleDeleted', data: { id, securityGroupId, projectId: PROJECT } };
}
/** The project's default group as Neutron makes it: ingress from itself, all egress, per ethertype. */
export function defaultGroup(id: string): DomainEventBody[] {
  return [
    group(id, true),
    rule(`${id}-in4`, id, id, 'IPv4', 'ingress'),
    rule(`${id}-in6`, id, id, 'IPv6', 'ingress'),
    rule(`${id}-out4`, id, null, 'IPv4', 'egress'),
    rule(`${id}-out6`, id, null, 'IPv6', 'egress'),
  ];
}

export function router(id: string, ha = true): DomainEventBody {
  return { type: 'RouterCreated', data: { id, projectId: PROJECT, name: id, description: '', adminStateUp: true, ha } };
}
export function routerDeleted(id: string, ha = true): DomainEventBody {
  return { type: 'RouterDeleted', data: { id, projectId: PROJECT, ha } };
}
export function iface(routerId: string, portId: string, networkId: string, removed = false): DomainEventBody {
  const data = { id: routerId, projectId: PROJECT, portId, networkId, subnetIds: [`sub-${networkId}`] };
  return removed ? { type: 'RouterInterfaceRemoved', data } : { type: 'RouterInterfaceAdded', data };
}
export function scheduled(routerId: string, host: string, priority = 50): DomainEventBody {
  return {
    type: 'RouterScheduledToAgent',
    data: { projectId: PROJECT, routerId, agentId: `agent-L3-${host}`, host, priority, haPortId: null },
  };
}
export function unscheduled(routerId: string, host: string): DomainEventBody {
  return {
    type: 'RouterUnscheduledFromAgent',
    data: { projectId: PROJECT, routerId, agentId: `agent-L3-${host}`, host, reason: 'admin' },
  };
}

/** The stream an event body belongs to, as the command side would name it. */
export function streamOf(body: DomainEventBody): string {
  const d = body.data as { id?: string; securityGroupId?: string; routerId?: string };
  if (body.type.startsWith('Network')) return `network:${d.id}`;
  if (body.type.startsWith('Port')) return `port:${d.id}`;
  if (body.type.startsWith('SecurityGroupRule')) return `security-group:${d.securityGroupId}`;
  if (body.type.startsWith('SecurityGroup')) return `security-group:${d.id}`;
  if (body.type.startsWith('Agent')) return `agent:${d.id}`;
  if ('routerId' in d) return `router:${d.routerId}`;
  return `router:${d.id}`;
}
