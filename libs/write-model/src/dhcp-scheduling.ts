import { createHash, randomUUID } from 'node:crypto';
import { agentDecider, dhcpNetworkDecider, networkDecider, type AgentCandidate, type DhcpUnscheduleReason } from '@cp/domain';
import type { UnitOfWork } from './command-runner';
import { createPortInUow, deletePortInUow, loadPort, networkSubnets, updatePortInUow } from './port-writes';
import { AGENT } from './resources/agent.view';
import { DHCP_BINDING } from './resources/dhcp-binding.view';
import { PORT } from './resources/port.view';
import { SUBNET } from './resources/subnet.view';
import { agentStream, dhcpNetworkStream, networkStream } from './streams';

/*
 * Neutron's DHCP agent scheduler, decided inside the commands that change what
 * it depends on (a subnet's enable_dhcp, a network's deletion, a DHCP agent
 * registering, reviving, dying or being deleted, an admin's move), so the
 * bindings and DHCP ports are never out of step with them. Each decision is an
 * event on the network's `dhcp-network:` stream; the DHCP port (`network:dhcp`,
 * one address per DHCP-enabled subnet, bound to the agent's host) is created and
 * deleted with its binding.
 */

export const DHCP_AGENT_TYPE = 'DHCP agent';
export const DHCP_OWNER = 'network:dhcp';

/** Neutron's dhcp_agents_per_network. */
export interface DhcpPolicy {
  agentsPerNetwork: number;
}
export const DEFAULT_DHCP_POLICY: DhcpPolicy = { agentsPerNetwork: 1 };

/** Neutron's DHCP port device id: `dhcp<uuid5(DNS namespace, host)>-<network id>`. */
export function dhcpDeviceId(host: string, networkId: string): string {
  const ns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
  const h = createHash('sha1').update(ns).update(host).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `dhcp${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}-${networkId}`;
}

/** A registered DHCP agent the network may be placed on (alive and enabled), or null. */
export async function usableDhcpAgent(uow: UnitOfWork, agentId: string): Promise<{ agentId: string; host: string } | null> {
  const body = await uow.resources.get(AGENT, agentId, uow.tx);
  return body && body.agent_type === DHCP_AGENT_TYPE ? usableOn(uow, agentId, String(body.host)) : null;
}

async function usableOn(uow: UnitOfWork, agentId: string, host: string): Promise<{ agentId: string; host: string } | null> {
  const state = await uow.load(agentDecider, agentStream(DHCP_AGENT_TYPE, host));
  return state.status === 'registered' && state.agent.id === agentId && state.alive && state.adminStateUp ? { agentId, host } : null;
}

/** DHCP agents by id: the stored ones and any this command registered (rows change only at commit). */
async function dhcpAgents(uow: UnitOfWork): Promise<Map<string, string>> {
  const agents = new Map<string, string>();
  for (const a of await uow.resources.list(AGENT, {}, uow.tx))
    if (a.agent_type === DHCP_AGENT_TYPE) agents.set(String(a.id), String(a.host));
  for (const { event: e } of uow.decisions) {
    if (e.type === 'AgentRegistered' && e.data.agentType === DHCP_AGENT_TYPE) agents.set(e.data.id, e.data.host);
  }
  return agents;
}

/** Networks an agent serves now, counting what this command decided (rows change only at commit). */
async function servedBy(uow: UnitOfWork, agentId: string): Promise<Set<string>> {
  const served = new Set((await uow.resources.list(DHCP_BINDING, { parentId: agentId }, uow.tx)).map((b) => String(b.network_id)));
  for (const { event: e } of uow.decisions) {
    if (e.type === 'NetworkScheduledToDhcpAgent' && e.data.agentId === agentId) served.add(e.data.networkId);
    if (e.type === 'NetworkUnscheduledFromDhcpAgent' && e.data.agentId === agentId) served.delete(e.data.networkId);
  }
  return served;
}

async function candidates(uow: UnitOfWork, only?: string): Promise<AgentCandidate[]> {
  const out: AgentCandidate[] = [];
  for (const [id, host] of await dhcpAgents(uow)) {
    if (only && id !== only) continue;
    const agent = await usableOn(uow, id, host);
    if (agent) out.push({ ...agent, load: (await servedBy(uow, id)).size });
  }
  return out;
}

/**
 * Brings one network's DHCP service in line. Scheduling: while the network has a
 * DHCP-enabled subnet and fewer than `agentsPerNetwork` agents, the least loaded
 * usable agents take it (`onlyAgent`: an admin's choice, whatever the count or
 * the subnets, as Neutron binds it). Ports: every agent serving it has one DHCP
 * port with one address per DHCP-enabled subnet while there is such a subnet,
 * none otherwise; the bindings stay (Neutron keeps a network on its agents when
 * DHCP is turned off).
 */
export async function scheduleNetworkDhcp(uow: UnitOfWork, networkId: string, policy: DhcpPolicy, onlyAgent?: string): Promise<void> {
  const stream = dhcpNetworkStream(networkId);
  const net = await uow.load(networkDecider, networkStream(networkId));
  if (net.status !== 'active') return;
  const { projectId } = net.network;
  const dhcpSubnets = (await networkSubnets(uow, networkId)).filter((s) => s.enableDhcp);
  const before = (await uow.load(dhcpNetworkDecider, stream)).bindings;
  if (onlyAgent || (dhcpSubnets.length > 0 && before.length < policy.agentsPerNetwork)) {
    await uow.decide(dhcpNetworkDecider, stream, {
      type: 'ScheduleNetwork',
      data: {
        networkId,
        projectId,
        candidates: await candidates(uow, onlyAgent),
        agentsPerNetwork: onlyAgent ? before.length + 1 : policy.agentsPerNetwork,
      },
    });
  }
  const wanted = dhcpSubnets.map((s) => s.id);
  for (const b of (await uow.load(dhcpNetworkDecider, stream)).bindings) {
    const portId = await dhcpPortOf(uow, networkId, b.host);
    if (wanted.length === 0) {
      if (portId) await deletePortInUow(uow, portId);
    } else if (!portId) {
      await createPortInUow(uow, {
        id: randomUUID(),
        networkId,
        projectId,
        deviceOwner: DHCP_OWNER,
        deviceId: dhcpDeviceId(b.host, networkId),
        hostId: b.host,
        portSecurityEnabled: false,
        securityGroups: [],
        fixedIps: wanted.map((subnetId) => ({ subnetId })),
      });
    } else {
      await readdress(uow, portId, wanted);
    }
  }
}

/** The DHCP port keeps its addresses on DHCP-enabled subnets, gains one on each new one, and drops the others. */
async function readdress(uow: UnitOfWork, portId: string, wanted: readonly string[]): Promise<void> {
  const port = await loadPort(uow, portId);
  if (port.status !== 'active') return;
  const keep = port.port.fixedIps.filter((ip) => wanted.includes(ip.subnetId));
  const missing = wanted.filter((s) => !keep.some((ip) => ip.subnetId === s));
  if (missing.length === 0 && keep.length === port.port.fixedIps.length) return;
  // Its own addresses are named as they are (the port decider keeps them, SLAAC ones included).
  const fixedIps = [
    ...keep.map((ip) => ({ subnetId: ip.subnetId, ipAddress: ip.ipAddress })),
    ...missing.map((subnetId) => ({ subnetId })),
  ];
  await updatePortInUow(uow, portId, { fixedIps });
}

/** The agent host's DHCP port on the network, found by its device id, as Neutron finds it (this command's own included). */
async function dhcpPortOf(uow: UnitOfWork, networkId: string, host: string): Promise<string | null> {
  const deviceId = dhcpDeviceId(host, networkId);
  const ids = new Set(
    (await uow.resources.list(PORT, { parentId: networkId }, uow.tx)).filter((p) => p.device_id === deviceId).map((p) => String(p.id)),
  );
  for (const { event: e } of uow.decisions) if (e.type === 'PortCreated' && e.data.deviceId === deviceId) ids.add(e.data.id);
  for (const id of ids) if ((await loadPort(uow, id)).status === 'active') return id;
  return null;
}

/** Takes the network off these agents, deleting their DHCP ports. */
export async function unscheduleDhcp(
  uow: UnitOfWork,
  networkId: string,
  agentIds: readonly string[],
  reason: DhcpUnscheduleReason,
): Promise<void> {
  const net = await uow.load(networkDecider, networkStream(networkId));
  const projectId = net.status === 'active' ? net.network.projectId : '';
  const events = await uow.decide(dhcpNetworkDecider, dhcpNetworkStream(networkId), {
    type: 'UnscheduleNetwork',
    data: { networkId, projectId, agentIds, reason },
  });
  for (const e of events) {
    const portId = await dhcpPortOf(uow, networkId, e.data.host);
    if (portId) await deletePortInUow(uow, portId);
  }
}

/** A dead or deleted DHCP agent's networks move to other agents (Neutron's allow_automatic_dhcp_failover, on by default). */
export async function evacuateDhcpAgent(
  uow: UnitOfWork,
  agentId: string,
  reason: 'agent_dead' | 'agent_deleted',
  policy: DhcpPolicy,
): Promise<void> {
  for (const networkId of await servedBy(uow, agentId)) {
    await unscheduleDhcp(uow, networkId, [agentId], reason);
    await scheduleNetworkDhcp(uow, networkId, policy);
  }
}

/** A DHCP agent that became usable takes networks with fewer than `agentsPerNetwork` agents (Neutron's auto-scheduling). */
export async function fillDhcpAgents(uow: UnitOfWork, policy: DhcpPolicy): Promise<void> {
  const networks = new Set(
    (await uow.resources.list(SUBNET, {}, uow.tx)).filter((s) => s.enable_dhcp === true).map((s) => String(s.network_id)),
  );
  for (const networkId of [...networks].sort()) {
    const { bindings } = await uow.load(dhcpNetworkDecider, dhcpNetworkStream(networkId));
    if (bindings.length < policy.agentsPerNetwork) await scheduleNetworkDhcp(uow, networkId, policy);
  }
}
