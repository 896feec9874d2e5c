import { Inject, Injectable } from '@nestjs/common';
import { dhcpNetworkDecider, fold } from '@cp/domain';
import {
  type Body,
  DHCP_BINDING,
  dhcpNetworkStream,
  fail,
  NETWORK,
  scheduleNetworkDhcp,
  unscheduleDhcp,
  usableDhcpAgent,
  WRITE_SIDE,
  type WriteSide,
} from '@cp/write-model';
import { AgentsService } from '../agents/agents.service';
import { SETTINGS, type Settings } from '../config';
import type { RequestContext } from '../platform/request-context';

/**
 * Neutron's dhcp_agent_scheduler extension: which DHCP agents serve a network
 * (`openstack network agent list --network`), which networks an agent serves,
 * and an admin's moves (`network agent add/remove network --dhcp`), decided on
 * the network's `dhcp-network:` stream like the automatic placements.
 */
@Injectable()
export class DhcpAgentsService {
  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly agents: AgentsService,
  ) {}

  async agentsOfNetwork(ctx: RequestContext, networkId: string): Promise<Body[]> {
    if (!(await this.ws.resources.get(NETWORK, networkId))) fail(404, 'NetworkNotFound', `Network ${networkId} could not be found.`);
    const { bindings } = fold(dhcpNetworkDecider, await this.ws.store.readStream(dhcpNetworkStream(networkId)));
    return Promise.all(bindings.map((b) => this.agents.show(ctx, b.agentId)));
  }

  async networksOfAgent(ctx: RequestContext, agentId: string): Promise<Body[]> {
    await this.agents.show(ctx, agentId);
    const rows = await this.ws.resources.list(DHCP_BINDING, { parentId: agentId });
    const networks = await Promise.all(rows.map((r) => this.ws.resources.get(NETWORK, String(r.network_id))));
    return networks.filter((n): n is Body => n !== null);
  }

  async add(ctx: RequestContext, agentId: string, networkId: string): Promise<void> {
    await this.agents.show(ctx, agentId);
    await this.ws.runner.run(ctx, async (uow) => {
      if (!(await uow.resources.get(NETWORK, networkId, uow.tx))) fail(404, 'NetworkNotFound', `Network ${networkId} could not be found.`);
      if (!(await usableDhcpAgent(uow, agentId)))
        fail(400, 'InvalidDHCPAgent', `Agent ${agentId} is not a valid DHCP Agent or has been disabled`);
      const { bindings } = await uow.load(dhcpNetworkDecider, dhcpNetworkStream(networkId));
      if (bindings.some((b) => b.agentId === agentId)) {
        fail(409, 'NetworkHostedByDHCPAgent', `The network ${networkId} has been already hosted by the DHCP Agent ${agentId}.`);
      }
      // Bound even without a DHCP-enabled subnet, as Neutron binds it: its DHCP port comes with the first one.
      await scheduleNetworkDhcp(uow, networkId, this.settings.dhcp, agentId);
    });
  }

  async remove(ctx: RequestContext, agentId: string, networkId: string): Promise<void> {
    await this.agents.show(ctx, agentId);
    await this.ws.runner.run(ctx, async (uow) => {
      const { bindings } = await uow.load(dhcpNetworkDecider, dhcpNetworkStream(networkId));
      if (!bindings.some((b) => b.agentId === agentId)) {
        fail(409, 'NetworkNotHostedByDhcpAgent', `The network ${networkId} is not hosted by the DHCP agent ${agentId}.`);
      }
      await unscheduleDhcp(uow, networkId, [agentId], 'admin');
    });
  }
}
