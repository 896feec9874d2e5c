import { Inject, Injectable } from '@nestjs/common';
import { tagsDecider, type TagRef, type TagsCommand } from '@cp/domain';
import type { TaggableKind } from '@cp/events';
import {
  fail,
  floatingIpStream,
  NETWORK,
  networkStream,
  portStream,
  routerStream,
  securityGroupStream,
  subnetStream,
  type UnitOfWork,
  WRITE_SIDE,
  type WriteSide,
} from '@cp/write-model';
import type { RequestContext } from '../platform/request-context';
import { assertCanChange, visibleOr404 } from '../platform/visibility';

/** What a collection in the URL names: its kind, its stream, and how Neutron says one is missing. */
const TAGGABLE: Record<string, { kind: TaggableKind; stream: (id: string) => string; missing: (id: string) => [string, string] }> = {
  networks: { kind: 'network', stream: networkStream, missing: (id) => ['NetworkNotFound', `Network ${id} could not be found.`] },
  subnets: { kind: 'subnet', stream: subnetStream, missing: (id) => ['SubnetNotFound', `Subnet ${id} could not be found.`] },
  ports: { kind: 'port', stream: portStream, missing: (id) => ['PortNotFound', `Port ${id} could not be found.`] },
  routers: { kind: 'router', stream: routerStream, missing: (id) => ['RouterNotFound', `Router ${id} could not be found.`] },
  floatingips: {
    kind: 'floatingip',
    stream: floatingIpStream,
    missing: (id) => ['FloatingIPNotFound', `Floating IP ${id} could not be found`],
  },
  'security-groups': {
    kind: 'security_group',
    stream: securityGroupStream,
    missing: (id) => ['SecurityGroupNotFound', `Security group ${id} does not exist`],
  },
};

/**
 * Neutron's standard-attr-tag on networks, subnets, ports, routers, security groups and floating IPs: reading
 * tags takes seeing the resource, changing them takes `update_<resource>` (its owner, or an admin).
 * Each change is a ResourceTagsSet in the resource's own stream, so the audit log shows it there.
 */
@Injectable()
export class TagsService {
  constructor(@Inject(WRITE_SIDE) private readonly ws: WriteSide) {}

  async list(ctx: RequestContext, collection: string, id: string): Promise<string[]> {
    const { body } = await this.visible(ctx, collection, id);
    return (body.tags as string[] | undefined) ?? [];
  }

  async has(ctx: RequestContext, collection: string, id: string, tag: string): Promise<void> {
    const tags = await this.list(ctx, collection, id);
    if (!tags.includes(tag)) fail(404, 'TagNotFound', `Tag ${tag} could not be found for ${TAGGABLE[collection].kind} ${id}.`);
  }

  async change(ctx: RequestContext, collection: string, id: string, change: (ref: TagRef) => TagsCommand): Promise<string[]> {
    await this.ws.runner.run(ctx, async (uow) => {
      const { body, network, entry } = await this.visible(ctx, collection, id, uow);
      assertCanChange(ctx, `update_${entry.kind}`, body, {}, network);
      const ref = {
        resourceType: entry.kind,
        resourceId: id,
        projectId: String(body.project_id),
        networkId: network ? String(network.id) : null,
      };
      await uow.decide(tagsDecider, entry.stream(id), change(ref));
    });
    return this.list(ctx, collection, id);
  }

  private async visible(ctx: RequestContext, collection: string, id: string, uow?: UnitOfWork) {
    const entry = TAGGABLE[collection];
    if (!entry) fail(404, 'HTTPNotFound', 'The resource could not be found.');
    const body = await this.ws.resources.get(entry.kind, id, uow?.tx);
    // Subnets and ports are judged with their network (a shared network's, its owner's).
    const networkId = entry.kind === 'subnet' || entry.kind === 'port' ? body?.network_id : undefined;
    const network = typeof networkId === 'string' ? await this.ws.resources.get(NETWORK, networkId, uow?.tx) : null;
    const [type, message] = entry.missing(id);
    return { body: visibleOr404(ctx, entry.kind, body, type, message, network), network, entry };
  }
}
