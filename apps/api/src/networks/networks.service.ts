import { networkStream } from '@cp/write-model';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { networkDecider } from '@cp/domain';
import { SETTINGS, type Settings } from '../config';
import { fail, type UnitOfWork, WRITE_SIDE, type WriteSide, NETWORK, portsLeftOn } from '@cp/write-model';
import type { RequestContext } from '../platform/request-context';
import { assertCanChange, authorizeCreate, visibleOr404 } from '../platform/visibility';
import { createAll } from '../platform/bulk';
import { QuotaGuard } from '../quotas/quota-guard';
import { reserveSegment } from './network-segments';
import type { CreateNetworkInput, UpdateNetworkInput } from './network.input';

const notFound = (id: string) => `Network ${id} could not be found.`;

@Injectable()
export class NetworksService {
  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly quota: QuotaGuard,
  ) {}

  async create(ctx: RequestContext, input: CreateNetworkInput) {
    return (await this.createMany(ctx, [input]))[0];
  }

  /** One network, or a bulk create's networks, all in one command. */
  async createMany(ctx: RequestContext, inputs: readonly CreateNetworkInput[]) {
    const ids = await createAll(this.ws, ctx, inputs, (uow, input) => this.createIn(uow, ctx, input));
    return Promise.all(ids.map((id) => this.show(ctx, id)));
  }

  private async createIn(uow: UnitOfWork, ctx: RequestContext, input: CreateNetworkInput): Promise<string> {
    // create_network, and its attribute rules (shared, router:external, provider:* are admin-only by default).
    const projectId = authorizeCreate(ctx, 'create_network', input);
    await this.quota.check(uow, 'network', projectId);
    const id = randomUUID();
    const networkType = input['provider:network_type'] ?? this.settings.tenantNetworkType;
    const maxMtu = this.maxMtu(networkType);
    const segment = await reserveSegment(uow, this.ws.segments, this.settings, networkType, {
      segmentationId: input['provider:segmentation_id'] ?? null,
      physicalNetwork: input['provider:physical_network'] ?? null,
    });
    await uow.decide(networkDecider, networkStream(id), {
      type: 'CreateNetwork',
      data: {
        id,
        projectId,
        name: input.name ?? '',
        description: input.description ?? '',
        adminStateUp: input.admin_state_up ?? true,
        shared: input.shared ?? false,
        external: input['router:external'] ?? false,
        mtu: checkMtu(input.mtu, maxMtu),
        portSecurityEnabled: input.port_security_enabled ?? true,
        networkType,
        segmentationId: segment.segmentationId,
        physicalNetwork: segment.physicalNetwork,
      },
    });
    return id;
  }

  /** The largest MTU a network of this type can carry: the physical one, less the tunnel's overhead. */
  private maxMtu(networkType: string): number {
    return networkType === 'vlan' || networkType === 'flat' || networkType === 'local' ? this.settings.physnetMtu : this.settings.tunnelMtu;
  }

  async update(ctx: RequestContext, id: string, input: UpdateNetworkInput) {
    await this.ws.runner.run(ctx, async (uow) => {
      const body = visibleOr404(ctx, 'network', await uow.resources.get(NETWORK, id, uow.tx), 'NetworkNotFound', notFound(id));
      assertCanChange(ctx, 'update_network', body, input);
      const changes = {
        name: input.name,
        description: input.description,
        adminStateUp: input.admin_state_up,
        shared: input.shared,
        external: input['router:external'],
        mtu: input.mtu === undefined ? undefined : checkMtu(input.mtu, this.maxMtu(String(body['provider:network_type']))),
        portSecurityEnabled: input.port_security_enabled,
      };
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      await uow.decide(networkDecider, networkStream(id), { type: 'UpdateNetwork', data: { id, changes: defined } });
    });
    return { network: await this.show(ctx, id) };
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.ws.runner.run(ctx, async (uow) => {
      const body = visibleOr404(ctx, 'network', await uow.resources.get(NETWORK, id, uow.tx), 'NetworkNotFound', notFound(id));
      assertCanChange(ctx, 'delete_network', body);
      await this.deleteNetwork(uow, id);
    });
  }

  /** Hook for the subnet/port slices: they delete the network's subnets and service ports first. */
  static beforeDelete: Array<(uow: UnitOfWork, networkId: string) => Promise<void>> = [];

  private async deleteNetwork(uow: UnitOfWork, id: string) {
    for (const hook of NetworksService.beforeDelete) await hook(uow, id);
    const portsInUse = await portsLeftOn(uow, id);
    await uow.decide(networkDecider, networkStream(id), { type: 'DeleteNetwork', data: { id, portsInUse } });
  }

  async show(ctx: RequestContext, id: string) {
    return visibleOr404(ctx, 'network', await this.ws.resources.get(NETWORK, id), 'NetworkNotFound', notFound(id));
  }
}

/** A network's MTU: the largest its type allows unless a smaller one is asked for (Neutron refuses a larger one). */
function checkMtu(requested: number | undefined, max: number): number {
  if (requested === undefined) return max;
  if (requested > max) fail(400, 'InvalidInput', `Invalid input for operation: Requested MTU is too big, maximum is ${max}.`);
  return requested;
}
