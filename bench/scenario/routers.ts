import type { DomainEventBody } from '@cp/events';
import {
  haNetworkRequests,
  haPortRequest,
  isRejection,
  networkDecider,
  portDecider,
  subnetDecider,
  type Decision,
  type SubnetData,
} from '@cp/domain';
import { agentId, portActivated, ROUTER_IFACE_OWNER, type Stamped } from './bodies';
import { ipToString, KIND, type Layout, type ProjectSpec } from './layout';
import { uuidOf } from './rng';

/**
 * An HA router on all of a project's networks, with what the L3 scheduler
 * records for it: the project's HA network, a VRID, three agents with HA ports,
 * and the agents' state reports (one active). The scheduler's decisions are
 * events, so a projection benchmark replays them like any other.
 */
export function routerEvents(layout: Layout, p: ProjectSpec, l3Load: Map<number, number>): Stamped[] {
  const routerId = p.router!;
  const out: Stamped[] = [];
  const routerStream = `router:${routerId}`;
  const haStream = `router-ha:${routerId}`;
  out.push({
    streamId: routerStream,
    body: {
      type: 'RouterCreated',
      data: { id: routerId, projectId: p.id, name: `router-${p.index}`, description: '', adminStateUp: true, ha: true },
    },
  });
  const networkId = uuidOf(KIND.ha, 2 * p.index);
  const subnetId = uuidOf(KIND.ha, 2 * p.index + 1);
  const ha = haNetworkRequests({ networkId, subnetId, projectId: p.id, index: 0, segmentationId: 16_000_000 + p.index, mtu: 1450 });
  const [networkCreated] = decided(networkDecider.decide({ type: 'CreateNetwork', data: ha.network }, { status: 'absent' }));
  const [subnetCreated] = decided(
    subnetDecider.decide(
      { type: 'CreateSubnet', data: ha.subnet, facts: { network: ha.network, existingCidrs: [] } },
      { status: 'absent' },
    ),
  );
  const subnet = subnetCreated.data as SubnetData;
  out.push({ streamId: `network:${networkId}`, body: networkCreated });
  out.push({ streamId: `subnet:${subnetId}`, body: subnetCreated });
  out.push({ streamId: `ha-network:${networkId}`, body: { type: 'HaNetworkCreated', data: ha.haNetwork } });
  out.push({
    streamId: `ha-network:${networkId}`,
    body: { type: 'VridAllocated', data: { projectId: p.id, haNetworkId: networkId, routerId, vrid: 1 } },
  });

  // Least-loaded network nodes first, ties by index: the scheduler's rule, simplified.
  const nodes = layout.hosts.map((h, i) => ({ h, i })).filter((x) => x.h.l3);
  nodes.sort((a, b) => (l3Load.get(a.i) ?? 0) - (l3Load.get(b.i) ?? 0) || a.i - b.i);
  const chosen = nodes.slice(0, 3);
  const haPorts: Array<{ id: string; host: string; agent: string }> = [];
  chosen.forEach(({ h, i }, slot) => {
    l3Load.set(i, (l3Load.get(i) ?? 0) + 1);
    const portId = uuidOf(KIND.ha, 1_000_000 + p.index * 4 + slot);
    const agent = agentId(i, true);
    const request = haPortRequest({ portId, haNetworkId: networkId, subnetId, routerId, projectId: p.id, host: h.name, vrid: 1, slot });
    const created = portDecider.decide(
      {
        type: 'CreatePort',
        data: { ...request, description: '', adminStateUp: true, allowedAddressPairs: [], vnicType: 'normal', macGenerated: false },
        facts: { network: ha.network, subnets: [subnet], usedIps: {}, macInUse: false, missingSecurityGroups: [] },
      },
      { status: 'absent' },
    );
    for (const body of decided(created)) out.push({ streamId: `port:${portId}`, body });
    out.push({
      streamId: haStream,
      body: {
        type: 'RouterScheduledToAgent',
        data: { projectId: p.id, routerId, agentId: agent, host: h.name, priority: 50, haPortId: portId },
      },
    });
    haPorts.push({ id: portId, host: h.name, agent });
  });
  for (const n of p.networks) {
    const net = layout.networks[n];
    const portId = uuidOf(KIND.ha, 2_000_000 + n);
    const ref = { id: portId, networkId: net.id, projectId: p.id };
    out.push({
      streamId: `port:${portId}`,
      body: {
        type: 'PortCreated',
        data: {
          ...ref,
          name: '',
          description: '',
          adminStateUp: true,
          deviceId: routerId,
          deviceOwner: ROUTER_IFACE_OWNER,
          fixedIps: [{ subnetId: net.subnetId, ipAddress: ipToString(net.firstIp - 1) }],
          securityGroups: [],
          portSecurityEnabled: false,
          allowedAddressPairs: [],
          macAddress: `fa:16:3f:${((n >>> 16) & 255).toString(16).padStart(2, '0')}:${((n >>> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`,
          vnicType: 'normal',
          hostId: '',
        },
      },
    });
    out.push({
      streamId: routerStream,
      body: { type: 'RouterInterfaceAdded', data: { id: routerId, projectId: p.id, portId, networkId: net.id, subnetIds: [net.subnetId] } },
    });
  }
  haPorts.forEach((hp, slot) => {
    out.push(portActivated({ id: hp.id, networkId, projectId: '' }, hp.host));
    out.push({
      streamId: haStream,
      body: {
        type: 'RouterHaStateReported',
        data: { projectId: p.id, routerId, agentId: hp.agent, host: hp.host, state: slot === 0 ? 'active' : 'standby' },
      },
    });
  });
  return out;
}

/** The events a decider decided; the generator only issues commands the deciders accept. */
function decided<E extends DomainEventBody>(d: Decision<E>): E[] {
  if (isRejection(d)) throw new Error(`generated history rejected: ${d.type}: ${d.message}`);
  return d;
}
