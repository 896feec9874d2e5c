import { addressQueue, portStream, quotaQueue } from '@cp/write-model';
import { Inject, Injectable } from '@nestjs/common';
import { portDecider, type UpdatePortChanges } from '@cp/domain';
import {
  NETWORK,
  type UnitOfWork,
  fail,
  SECURITY_GROUP,
  WRITE_SIDE,
  type WriteSide,
  createPortInUow,
  deletePortInUow,
  updatePortInUow,
  forCaller,
  PORT,
} from '@cp/write-model';
import { enforce, type RequestContext } from '../platform/request-context';
import { assertCanChange, canSee, visibleOr404 } from '../platform/visibility';
import { createAll } from '../platform/bulk';
import { QuotaGuard } from '../quotas/quota-guard';
import { ensureDefaultSecurityGroup } from '../security-groups/default-group';
import type { CreatePortInput, UpdatePortInput } from './port.input';
import { checkCreatePolicy, checkUpdatePolicy, portOr404, showsBinding } from './port-policy';

/** Owners whose ports belong to a router or a floating IP: Neutron refuses to delete them through the port API. */
const L3_OWNERS = new Set([
  'network:floatingip',
  'network:router_interface',
  'network:router_interface_distributed',
  'network:router_gateway',
  'network:ha_router_replicated_interface',
  'network:router_ha_interface',
  'network:router_centralized_snat',
]);

const fixedIps = (input: CreatePortInput | UpdatePortInput) =>
  input.fixed_ips?.map((f) => ({ subnetId: f.subnet_id, ipAddress: f.ip_address }));
const pairs = (input: CreatePortInput | UpdatePortInput) =>
  input.allowed_address_pairs === undefined
    ? undefined
    : (input.allowed_address_pairs ?? []).map((p) => ({ ipAddress: p.ip_address, macAddress: p.mac_address }));

const dhcpOpts = (input: CreatePortInput | UpdatePortInput) =>
  input.extra_dhcp_opts?.map((o) => ({
    optName: o.opt_name,
    optValue: o.opt_value,
    ipVersion: Number(o.ip_version ?? 4) as 4 | 6,
  }));

@Injectable()
export class PortsService {
  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    private readonly quota: QuotaGuard,
  ) {}

  async create(ctx: RequestContext, input: CreatePortInput) {
    return (await this.createMany(ctx, [input]))[0];
  }

  /** One port, or a bulk create's ports, all in one command. */
  async createMany(ctx: RequestContext, inputs: readonly CreatePortInput[]) {
    // Ports on one network take addresses from the same free ranges, and one project's count against its quota:
    // they queue for those rather than conflict.
    const queues = inputs.flatMap((i) => [addressQueue(i.network_id), quotaQueue(String(i.project_id ?? i.tenant_id ?? ctx.projectId))]);
    const ids = await createAll(this.ws, ctx, inputs, (uow, input) => this.createIn(uow, ctx, input), queues);
    return Promise.all(ids.map((id) => this.show(ctx, id)));
  }

  private async createIn(uow: UnitOfWork, ctx: RequestContext, input: CreatePortInput): Promise<string> {
    const network = visibleOr404(
      ctx,
      'network',
      await uow.resources.get(NETWORK, input.network_id, uow.tx),
      'NetworkNotFound',
      `Network ${input.network_id} could not be found.`,
    );
    const projectId = checkCreatePolicy(ctx, input, network);
    await this.quota.check(uow, 'port', projectId);
    const deviceOwner = input.device_owner ?? '';
    const portSecurityEnabled = input.port_security_enabled ?? network.port_security_enabled !== false;
    // null is Neutron's convert_none_to_empty_list: no groups, not the default one.
    const groups = await this.securityGroups(uow, ctx, input.security_groups === null ? [] : input.security_groups, {
      projectId,
      // Neutron adds no default group to a port without port security or to a trusted (network:) port.
      wantsDefault: portSecurityEnabled && !deviceOwner.startsWith('network:'),
    });
    const { portId } = await createPortInUow(
      uow,
      {
        networkId: input.network_id,
        projectId,
        name: input.name,
        description: input.description,
        adminStateUp: input.admin_state_up,
        deviceId: input.device_id,
        deviceOwner,
        securityGroups: groups.ids,
        portSecurityEnabled,
        allowedAddressPairs: pairs(input),
        extraDhcpOpts: dhcpOpts(input),
        vnicType: input['binding:vnic_type'],
        hostId: input['binding:host_id'],
        macAddress: input.mac_address,
        fixedIps: fixedIps(input),
      },
      { missingSecurityGroups: groups.missing },
    );
    return portId;
  }

  async update(ctx: RequestContext, id: string, input: UpdatePortInput) {
    // A port's network never changes, so the one read before the command names its queue.
    const current = input.fixed_ips === undefined ? undefined : await this.ws.resources.get(PORT, id);
    const queueOn = current ? [addressQueue(String(current.network_id))] : [];
    await this.ws.runner.run(
      ctx,
      async (uow) => {
        const { port, network } = await this.visible(ctx, id, uow);
        checkUpdatePolicy(ctx, input, port, network);
        const groups =
          input.security_groups === undefined
            ? { ids: undefined, missing: [] }
            : await this.securityGroups(uow, ctx, input.security_groups ?? [], { projectId: String(port.project_id), wantsDefault: false });
        const changes: UpdatePortChanges = {
          name: input.name,
          description: input.description,
          adminStateUp: input.admin_state_up,
          deviceId: input.device_id,
          deviceOwner: input.device_owner,
          fixedIps: fixedIps(input),
          securityGroups: groups.ids,
          portSecurityEnabled: input.port_security_enabled,
          allowedAddressPairs: pairs(input),
          extraDhcpOpts: dhcpOpts(input),
          hostId: input['binding:host_id'],
          macAddress: input.mac_address,
        };
        const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as UpdatePortChanges;
        await updatePortInUow(uow, id, defined, { missingSecurityGroups: groups.missing });
      },
      { queueOn },
    );
    return this.show(ctx, id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.ws.runner.run(ctx, async (uow) => {
      const { port, network } = await this.visible(ctx, id, uow);
      assertCanChange(ctx, 'delete_port', port, {}, network);
      if (L3_OWNERS.has(String(port.device_owner)) && port.device_id) {
        fail(
          409,
          'ServicePortInUse',
          `Port ${id} cannot be deleted directly via the port API: has device owner ${String(port.device_owner)}.`,
        );
      }
      await deletePortInUow(uow, id);
    });
  }

  /**
   * An L2 agent's report (ReportPortUp/Down); answers with the port as an admin sees it.
   * The caller acts for `host` (policy `report_port_status`, checked with the host by the
   * authentication middleware and again here); the decider refuses an up report for a port
   * not bound to that host, so an agent reaches only its own host's ports.
   */
  async report(ctx: RequestContext, host: string, id: string, up: boolean) {
    enforce(ctx, 'report_port_status', { host });
    await this.ws.runner.run(ctx, (uow) =>
      uow.decide(portDecider, portStream(id), { type: up ? 'ReportPortUp' : 'ReportPortDown', data: { id, host } }),
    );
    const port = await this.ws.resources.get(PORT, id);
    if (!port) fail(404, 'PortNotFound', `Port ${id} could not be found.`);
    return forCaller(port, true);
  }

  async show(ctx: RequestContext, id: string) {
    const { port } = await this.visible(ctx, id);
    return forCaller(port, showsBinding(ctx, port));
  }

  private async visible(ctx: RequestContext, id: string, uow?: UnitOfWork) {
    const port = await this.ws.resources.get(PORT, id, uow?.tx);
    const network = port ? await this.ws.resources.get(NETWORK, String(port.network_id), uow?.tx) : null;
    return { port: portOr404(ctx, id, port, network), network };
  }

  /**
   * The groups a port gets: the given ones (each must exist and be visible to
   * the caller, else the decider answers 404), or the project's default group.
   */
  private async securityGroups(
    uow: UnitOfWork,
    ctx: RequestContext,
    given: string[] | undefined,
    o: { projectId: string; wantsDefault: boolean },
  ) {
    if (given === undefined) {
      return { ids: o.wantsDefault ? [await ensureDefaultSecurityGroup(uow, o.projectId, ctx.now)] : [], missing: [] as string[] };
    }
    const missing: string[] = [];
    for (const sg of given) {
      const body = await uow.resources.get(SECURITY_GROUP, sg, uow.tx);
      if (!canSee(ctx, 'security_group', body)) missing.push(sg);
    }
    return { ids: given, missing };
  }
}
