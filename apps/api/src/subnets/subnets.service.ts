import { networkStream, subnetStream } from '@cp/write-model';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { networkDecider, ROUTER_OWNERS, subnetDecider, type SubnetChanges } from '@cp/domain';
import {
  type Body,
  NETWORK,
  type UnitOfWork,
  fail,
  allocationQueries,
  networkSubnets,
  updatePortInUow,
  PORT,
  scheduleNetworkDhcp,
  WRITE_SIDE,
  type WriteSide,
  SUBNET,
} from '@cp/write-model';
import { SETTINGS, type Settings } from '../config';
import type { RequestContext } from '../platform/request-context';
import { assertCanChange, authorizeCreate, visibleOr404 } from '../platform/visibility';
import { subnetOr404 } from './subnet-access';
import { createAll } from '../platform/bulk';
import { QuotaGuard } from '../quotas/quota-guard';
import type { CreateSubnetInput, UpdateSubnetInput } from './subnet.input';

/** Neutron removes a DHCP port's address itself when its subnet goes; any other holder makes the subnet in use. */
const RELEASED_ON_SUBNET_DELETE = new Set(['network:dhcp']);
/** IPv6 subnets whose addresses the hosts make themselves (SLAAC, DHCPv6 stateless). */
const AUTO_ADDRESS_MODES = new Set(['slaac', 'dhcpv6-stateless']);

/**
 * Whether deleting the subnet takes `port`'s address with it. On an auto-address subnet it does
 * for every port but a router's, whose interface would be left without its address (Neutron's
 * delete_subnet); elsewhere only for DHCP ports.
 */
function releasedWithSubnet(subnet: Body, port: Body): boolean {
  const owner = String(port.device_owner);
  if (AUTO_ADDRESS_MODES.has(String(subnet.ipv6_address_mode))) return !ROUTER_OWNERS.has(owner);
  return RELEASED_ON_SUBNET_DELETE.has(owner);
}

@Injectable()
export class SubnetsService {
  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    private readonly quota: QuotaGuard,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async create(ctx: RequestContext, input: CreateSubnetInput) {
    return (await this.createMany(ctx, [input]))[0];
  }

  /** One subnet, or a bulk create's subnets, all in one command. */
  async createMany(ctx: RequestContext, inputs: readonly CreateSubnetInput[]) {
    const ids = await createAll(this.ws, ctx, inputs, (uow, input) => this.createIn(uow, ctx, input));
    return Promise.all(ids.map((id) => this.show(ctx, id)));
  }

  private async createIn(uow: UnitOfWork, ctx: RequestContext, input: CreateSubnetInput): Promise<string> {
    const id = randomUUID();
    const body = await uow.resources.get(NETWORK, input.network_id, uow.tx);
    const netBody = visibleOr404(ctx, 'network', body, 'NetworkNotFound', `Network ${input.network_id} could not be found.`);
    // create_subnet: the network's owner (or an admin) makes its subnets.
    const projectId = authorizeCreate(ctx, 'create_subnet', input, netBody);
    await this.quota.check(uow, 'subnet', projectId);
    const net = await uow.load(networkDecider, networkStream(input.network_id));
    const existing = await networkSubnets(uow, input.network_id);
    await uow.decide(subnetDecider, subnetStream(id), {
      type: 'CreateSubnet',
      data: {
        id,
        networkId: input.network_id,
        projectId,
        name: input.name ?? '',
        description: input.description ?? '',
        ipVersion: input.ip_version,
        cidr: input.cidr,
        ipv6AddressMode: input.ipv6_address_mode ?? null,
        ipv6RaMode: input.ipv6_ra_mode ?? null,
        enableDhcp: input.enable_dhcp ?? true,
        dnsNameservers: input.dns_nameservers ?? [],
        hostRoutes: input.host_routes ?? [],
        gatewayIp: input.gateway_ip,
        allocationPools: input.allocation_pools,
      },
      facts: { network: net.status === 'active' ? net.network : null, existingCidrs: existing.map((s) => s.cidr) },
    });
    if (AUTO_ADDRESS_MODES.has(input.ipv6_address_mode ?? '')) await this.addressExistingPorts(uow, input.network_id, id);
    await scheduleNetworkDhcp(uow, input.network_id, this.settings.dhcp);
    return id;
  }

  /**
   * A new SLAAC or DHCPv6-stateless subnet gives every port already on the network its address,
   * as the hosts will configure one anyway (Neutron's _add_auto_addrs_on_network_ports); router
   * ports get theirs only through a router interface.
   */
  private async addressExistingPorts(uow: UnitOfWork, networkId: string, subnetId: string): Promise<void> {
    for (const port of await uow.resources.list(PORT, { parentId: networkId }, uow.tx)) {
      if (ROUTER_OWNERS.has(String(port.device_owner))) continue;
      const current = (port.fixed_ips as Array<{ subnet_id: string; ip_address: string }>).map((f) => ({
        subnetId: f.subnet_id,
        ipAddress: f.ip_address,
      }));
      await updatePortInUow(uow, String(port.id), { fixedIps: [...current, { subnetId }] });
    }
  }

  async update(ctx: RequestContext, id: string, input: UpdateSubnetInput) {
    await this.ws.runner.run(ctx, async (uow) => {
      const { subnet, network } = await this.visible(ctx, id, uow);
      assertCanChange(ctx, 'update_subnet', subnet, input, network);
      const changes: SubnetChanges = {
        name: input.name,
        description: input.description,
        gatewayIp: input.gateway_ip,
        allocationPools: input.allocation_pools,
        enableDhcp: input.enable_dhcp,
        dnsNameservers: input.dns_nameservers,
        hostRoutes: input.host_routes,
      };
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      const gatewayPortId = input.gateway_ip !== undefined ? await this.gatewayPort(uow, id) : null;
      await uow.decide(subnetDecider, subnetStream(id), { type: 'UpdateSubnet', data: { id, changes: defined }, facts: { gatewayPortId } });
      if (input.enable_dhcp !== undefined) await scheduleNetworkDhcp(uow, String(subnet.network_id), this.settings.dhcp);
    });
    return this.show(ctx, id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.ws.runner.run(ctx, async (uow) => {
      const { subnet, network } = await this.visible(ctx, id, uow);
      assertCanChange(ctx, 'delete_subnet', subnet, {}, network);
      let portsInUse = 0;
      const released: Body[] = [];
      for (const portId of new Set((await allocationQueries.holders(uow.db, uow.tx, id)).map((h) => h.portId))) {
        const port = await uow.resources.get(PORT, portId, uow.tx);
        if (port && releasedWithSubnet(subnet, port)) released.push(port);
        else portsInUse++;
      }
      await uow.decide(subnetDecider, subnetStream(id), { type: 'DeleteSubnet', data: { id }, facts: { portsInUse } });
      // After the delete: a port update keeps addresses on auto-address subnets that still exist.
      for (const port of released) {
        const keep = (port.fixed_ips as Array<{ subnet_id: string; ip_address: string }>).filter((f) => f.subnet_id !== id);
        await updatePortInUow(uow, String(port.id), { fixedIps: keep.map((f) => ({ subnetId: f.subnet_id, ipAddress: f.ip_address })) });
      }
      // The network's last DHCP subnet gone: its DHCP service goes too.
      await scheduleNetworkDhcp(uow, String(subnet.network_id), this.settings.dhcp);
    });
  }

  async show(ctx: RequestContext, id: string) {
    return (await this.visible(ctx, id)).subnet;
  }

  /** Both bodies, or 404 as Neutron hides a subnet the caller may not see. */
  private async visible(ctx: RequestContext, id: string, uow?: UnitOfWork) {
    const subnet = await this.ws.resources.get(SUBNET, id, uow?.tx);
    const network = subnet ? await this.ws.resources.get(NETWORK, String(subnet.network_id), uow?.tx) : null;
    subnetOr404(ctx, id, subnet, network);
    if (!network) fail(404, 'SubnetNotFound', `Subnet ${id} could not be found.`);
    return { subnet: subnet!, network };
  }

  /** A router port holding the subnet's gateway address (Neutron: GatewayIpInUse). */
  private async gatewayPort(uow: UnitOfWork, id: string): Promise<string | null> {
    const subnet = await uow.resources.get(SUBNET, id, uow.tx);
    if (!subnet?.gateway_ip) return null;
    const holder = (await allocationQueries.holders(uow.db, uow.tx, id)).find((h) => h.ipAddress === subnet.gateway_ip);
    const port = holder ? await uow.resources.get(PORT, holder.portId, uow.tx) : null;
    return port && ROUTER_OWNERS.has(String(port.device_owner)) ? holder!.portId : null;
  }
}
