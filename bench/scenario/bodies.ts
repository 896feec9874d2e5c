import type { DomainEventBody } from '@cp/events';
import { ipToString, KIND, type HostSpec, type Layout, type NetworkSpec, type ProjectSpec } from './layout';
import { uuidOf } from './rng';

/** An event body with the stream the command side would append it to. */
export interface Stamped {
  streamId: string;
  body: DomainEventBody;
}

export const L2_AGENT = 'Open vSwitch agent';
export const L3_AGENT = 'L3 agent';
export const ROUTER_IFACE_OWNER = 'network:ha_router_replicated_interface';
const AT = '2025-01-01T00:00:00.000Z';

export const agentId = (hostIndex: number, l3: boolean) => uuidOf(KIND.agent, hostIndex * 2 + (l3 ? 1 : 0));

export function agentEvents(host: HostSpec, hostIndex: number): Stamped[] {
  const out: Stamped[] = [];
  for (const l3 of host.l3 ? [false, true] : [false]) {
    const agentType = l3 ? L3_AGENT : L2_AGENT;
    const streamId = `agent:${agentType}@${host.name}`;
    const ref = { id: agentId(hostIndex, l3), agentType, host: host.name };
    const config = l3
      ? {
          binary: 'neutron-l3-agent',
          topic: 'l3_agent',
          tunnelIp: null,
          availabilityZone: 'nova',
          configurations: { agent_mode: 'legacy' },
        }
      : {
          binary: 'neutron-openvswitch-agent',
          topic: 'N/A',
          tunnelIp: host.tunnelIp,
          availabilityZone: 'nova',
          configurations: { tunneling_ip: host.tunnelIp, tunnel_types: ['vxlan'], l2_population: true },
        };
    out.push({ streamId, body: { type: 'AgentRegistered', data: { ...ref, ...config } } });
    out.push({ streamId, body: { type: 'AgentAlive', data: { ...ref, heartbeatAt: AT } } });
  }
  return out;
}

function rule(
  project: ProjectSpec,
  sg: string,
  n: number,
  direction: 'ingress' | 'egress',
  ethertype: 'IPv4' | 'IPv6',
  remoteGroupId: string | null,
  port: number | null,
): Stamped {
  return {
    streamId: `security-group:${sg}`,
    body: {
      type: 'SecurityGroupRuleCreated',
      data: {
        id: uuidOf(KIND.rule, project.index * 16 + n),
        securityGroupId: sg,
        projectId: project.id,
        direction,
        ethertype,
        protocol: port === null ? null : 'tcp',
        portRangeMin: port,
        portRangeMax: port,
        remoteIpPrefix: null,
        remoteGroupId,
        description: '',
      },
    },
  };
}

/** The default group (ingress from itself, all egress) and a web/db pair whose rules name remote groups. */
export function projectEvents(p: ProjectSpec): Stamped[] {
  const group = (id: string, name: string): Stamped => ({
    streamId: `security-group:${id}`,
    body: {
      type: 'SecurityGroupCreated',
      data: { id, projectId: p.id, name, description: '', isDefault: name === 'default', stateful: true },
    },
  });
  return [
    group(p.defaultSg, 'default'),
    rule(p, p.defaultSg, 0, 'ingress', 'IPv4', p.defaultSg, null),
    rule(p, p.defaultSg, 1, 'ingress', 'IPv6', p.defaultSg, null),
    rule(p, p.defaultSg, 2, 'egress', 'IPv4', null, null),
    rule(p, p.defaultSg, 3, 'egress', 'IPv6', null, null),
    group(p.webSg, 'web'),
    rule(p, p.webSg, 4, 'ingress', 'IPv4', p.webSg, 8080),
    group(p.dbSg, 'db'),
    rule(p, p.dbSg, 5, 'ingress', 'IPv4', p.webSg, 5432),
    rule(p, p.dbSg, 6, 'ingress', 'IPv4', p.dbSg, 5432),
  ];
}

export function networkEvents(n: NetworkSpec, layout: Layout): Stamped[] {
  const projectId = layout.projects[n.project].id;
  const gateway = ipToString(n.firstIp - 1);
  return [
    {
      streamId: `network:${n.id}`,
      body: {
        type: 'NetworkCreated',
        data: {
          id: n.id,
          projectId,
          name: `net-${n.index}`,
          description: '',
          adminStateUp: true,
          shared: false,
          external: false,
          mtu: 1450,
          networkType: 'vxlan',
          segmentationId: n.vni,
          physicalNetwork: null,
        },
      },
    },
    {
      streamId: `subnet:${n.subnetId}`,
      body: {
        type: 'SubnetCreated',
        data: {
          id: n.subnetId,
          networkId: n.id,
          projectId,
          ipVersion: 4,
          cidr: n.cidr,
          ipv6AddressMode: null,
          ipv6RaMode: null,
          name: `subnet-${n.index}`,
          description: '',
          gatewayIp: gateway,
          allocationPools: [{ start: ipToString(n.firstIp), end: ipToString(n.firstIp + n.capacity - 4) }],
          enableDhcp: true,
          dnsNameservers: [],
          hostRoutes: [],
        },
      },
    },
  ];
}

export interface PortSpec {
  id: string;
  network: NetworkSpec;
  projectId: string;
  host: string;
  mac: string;
  ip: string;
  groups: string[];
  pairs: string[];
  owner: string;
  deviceId?: string;
}

/** PortCreated bound at creation, then PortBoundToHost: what the port decider emits for a create with binding:host_id. */
export function portCreated(s: PortSpec): Stamped[] {
  const ref = { id: s.id, networkId: s.network.id, projectId: s.projectId };
  const streamId = `port:${s.id}`;
  const out: Stamped[] = [
    {
      streamId,
      body: {
        type: 'PortCreated',
        data: {
          ...ref,
          name: '',
          description: '',
          adminStateUp: true,
          deviceId: s.deviceId ?? `vm-${s.id.slice(-8)}`,
          deviceOwner: s.owner,
          fixedIps: [{ subnetId: s.network.subnetId, ipAddress: s.ip }],
          securityGroups: s.groups,
          portSecurityEnabled: s.groups.length > 0,
          allowedAddressPairs: s.pairs.map((ipAddress) => ({ ipAddress, macAddress: s.mac })),
          macAddress: s.mac,
          vnicType: 'normal',
          hostId: s.host,
        },
      },
    },
  ];
  if (s.host) out.push({ streamId, body: { type: 'PortBoundToHost', data: { ...ref, host: s.host, previousHost: '' } } });
  return out;
}

type PortRef = { id: string; networkId: string; projectId: string };
export const portActivated = (r: PortRef, host: string): Stamped => ({
  streamId: `port:${r.id}`,
  body: { type: 'PortActivated', data: { ...r, host } },
});
export const portDeactivated = (r: PortRef, host: string): Stamped => ({
  streamId: `port:${r.id}`,
  body: { type: 'PortDeactivated', data: { ...r, host } },
});
export const portRebound = (r: PortRef, host: string, previousHost: string): Stamped => ({
  streamId: `port:${r.id}`,
  body: { type: 'PortBoundToHost', data: { ...r, host, previousHost } },
});
export const portDeleted = (r: PortRef, host: string): Stamped => ({
  streamId: `port:${r.id}`,
  body: { type: 'PortDeleted', data: { ...r, host } },
});
