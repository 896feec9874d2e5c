import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { floatingIpDecider, parseIp } from '@cp/domain';
import {
  addressQueue,
  type Body,
  createPortInUow,
  deletePortInUow,
  fail,
  FLOATINGIP,
  floatingIpStream,
  loadPort,
  networkSubnets,
  PORT,
  type UnitOfWork,
  WRITE_SIDE,
  type WriteSide,
} from '@cp/write-model';
import type { RequestContext } from '../platform/request-context';
import { assertCanChange, authorizeCreate, visibleOr404 } from '../platform/visibility';
import { QuotaGuard } from '../quotas/quota-guard';
import { loadNetwork } from '../routers/router-facts';
import { associationFacts } from './floating-ip-facts';
import type { CreateFloatingIpInput, UpdateFloatingIpInput } from './floating-ip.input';

export const FLOATINGIP_OWNER = 'network:floatingip';
const notFound = (id: string) => `Floating IP ${id} could not be found`;

@Injectable()
export class FloatingIpsService {
  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    private readonly quota: QuotaGuard,
  ) {}

  /**
   * An address on an external network, held by a port of its own (no project,
   * `network:floatingip`, as Neutron makes it), and mapped to `port_id` if given.
   * Everything happens in one command: a refused association allocates nothing.
   */
  async create(ctx: RequestContext, input: CreateFloatingIpInput): Promise<Body> {
    const projectId = authorizeCreate(ctx, 'create_floatingip', input);
    const id = randomUUID();
    await this.ws.runner.run(
      ctx,
      async (uow) => {
        const network = await loadNetwork(uow, input.floating_network_id);
        if (!network) fail(404, 'NetworkNotFound', `Network ${input.floating_network_id} could not be found.`);
        if (!network.external) fail(400, 'BadRequest', `Bad floatingip request: Network ${network.id} is not a valid external network.`);
        await this.quota.check(uow, 'floatingip', projectId);
        const portId = randomUUID();
        await createPortInUow(uow, {
          id: portId,
          networkId: network.id,
          projectId: '',
          deviceOwner: FLOATINGIP_OWNER,
          deviceId: id,
          portSecurityEnabled: false,
          securityGroups: [],
          fixedIps: [await this.addressRequest(uow, network.id, input)],
        });
        const held = await loadPort(uow, portId);
        const address = held.status === 'active' ? held.port.fixedIps[0] : undefined;
        if (!address) throw new Error(`floating IP port ${portId} has no address after its creation`);
        const associate = input.port_id
          ? await associationFacts(uow, network.id, input.port_id, input.fixed_ip_address ?? undefined)
          : null;
        await uow.decide(floatingIpDecider, floatingIpStream(id), {
          type: 'CreateFloatingIp',
          data: {
            id,
            projectId,
            floatingNetworkId: network.id,
            floatingIpAddress: address.ipAddress,
            floatingSubnetId: address.subnetId,
            floatingPortId: portId,
            description: input.description ?? '',
          },
          associate,
        });
      },
      { queueOn: [addressQueue(input.floating_network_id)] },
    );
    return this.show(ctx, id);
  }

  /** The address asked for (on its subnet), or one from the asked or first IPv4 subnet of the network. */
  private async addressRequest(uow: UnitOfWork, networkId: string, input: CreateFloatingIpInput) {
    const v4 = (await networkSubnets(uow, networkId)).filter((s) => s.ipVersion === 4);
    if (v4.length === 0) fail(400, 'BadRequest', `Bad floatingip request: Network ${networkId} does not contain any IPv4 subnet.`);
    if (input.subnet_id && !v4.some((s) => s.id === input.subnet_id)) {
      fail(400, 'BadRequest', `Bad floatingip request: Subnet ${input.subnet_id} is not an IPv4 subnet of network ${networkId}.`);
    }
    if (input.floating_ip_address !== undefined) {
      if (parseIp(input.floating_ip_address)?.version !== 4) {
        fail(400, 'BadRequest', `Bad floatingip request: ${input.floating_ip_address} is not a valid IPv4 address.`);
      }
      return { ipAddress: input.floating_ip_address, ...(input.subnet_id ? { subnetId: input.subnet_id } : {}) };
    }
    return { subnetId: input.subnet_id ?? v4[0].id };
  }

  async update(ctx: RequestContext, id: string, input: UpdateFloatingIpInput): Promise<Body> {
    await this.ws.runner.run(ctx, async (uow) => {
      const body = visibleOr404(ctx, 'floatingip', await uow.resources.get(FLOATINGIP, id, uow.tx), 'FloatingIPNotFound', notFound(id));
      assertCanChange(ctx, 'update_floatingip', body, input);
      const stream = floatingIpStream(id);
      // Neutron keeps a quirk of its first API: an update with an empty body clears the association.
      const blank = Object.values(input).every((v) => v === undefined);
      if (input.port_id === null || blank) {
        await uow.decide(floatingIpDecider, stream, { type: 'DisassociateFloatingIp', data: { id, reason: 'requested' } });
      } else if (input.port_id !== undefined) {
        const facts = await associationFacts(uow, String(body.floating_network_id), input.port_id, input.fixed_ip_address ?? undefined);
        await uow.decide(floatingIpDecider, stream, { type: 'AssociateFloatingIp', data: { id }, associate: facts });
      }
      if (input.description !== undefined) {
        await uow.decide(floatingIpDecider, stream, {
          type: 'UpdateFloatingIp',
          data: { id, changes: { description: input.description } },
        });
      }
    });
    return this.show(ctx, id);
  }

  /** The floating IP and its port go together. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.ws.runner.run(ctx, async (uow) => {
      const body = visibleOr404(ctx, 'floatingip', await uow.resources.get(FLOATINGIP, id, uow.tx), 'FloatingIPNotFound', notFound(id));
      assertCanChange(ctx, 'delete_floatingip', body);
      await deleteFloatingIpInUow(uow, id);
    });
  }

  async show(ctx: RequestContext, id: string): Promise<Body> {
    const body = visibleOr404(ctx, 'floatingip', await this.ws.resources.get(FLOATINGIP, id), 'FloatingIPNotFound', notFound(id));
    return this.present(body);
  }

  async list(ctx: RequestContext, visible: (b: Body) => boolean): Promise<Body[]> {
    const all = (await this.ws.resources.list(FLOATINGIP)).filter(visible);
    return Promise.all(all.map((b) => this.present(b)));
  }

  /** `port_details` (fip-port-details): the mapped port as it is now. */
  private async present(body: Body): Promise<Body> {
    const port = typeof body.port_id === 'string' ? await this.ws.resources.get(PORT, body.port_id) : null;
    const port_details = port
      ? {
          name: port.name,
          network_id: port.network_id,
          mac_address: port.mac_address,
          admin_state_up: port.admin_state_up,
          status: port.status,
          device_id: port.device_id,
          device_owner: port.device_owner,
        }
      : null;
    return { ...body, port_details };
  }
}

/** A floating IP goes with the port that holds its address, in the caller's command. */
export async function deleteFloatingIpInUow(uow: UnitOfWork, id: string): Promise<void> {
  const [deleted] = await uow.decide(floatingIpDecider, floatingIpStream(id), { type: 'DeleteFloatingIp', data: { id } });
  if (deleted?.type === 'FloatingIpDeleted') await deletePortInUow(uow, deleted.data.floatingPortId);
}

/**
 * NetworksService.beforeDelete hook: an external network is deleted with the
 * floating IPs on it (and their ports), as Neutron lets an admin do; any that
 * were mapped are unmapped by their deletion.
 */
export async function deleteNetworkFloatingIps(uow: UnitOfWork, networkId: string): Promise<void> {
  const fips = (await uow.resources.list(FLOATINGIP, {}, uow.tx)).filter((f) => f.floating_network_id === networkId);
  for (const fip of fips) await deleteFloatingIpInUow(uow, String(fip.id));
}
