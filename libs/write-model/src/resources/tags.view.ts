import type { DomainEvent } from '@cp/events';
import { stamp, type ResourceMapper } from './resource-mapper';

/** A resource's `tags` in its Neutron body; a tag change bumps its revision like any change. */
export const tagsMapper: ResourceMapper = {
  handles: ['ResourceTagsSet'],
  async apply(event: DomainEvent, ops) {
    if (event.type !== 'ResourceTagsSet') return;
    const { resourceType, resourceId, tags } = event.data;
    const body = await ops.get(resourceType, resourceId);
    if (!body) return;
    // The row keeps its parent: subnets and ports hang under their network, a floating IP under the port it maps.
    const parent =
      resourceType === 'floatingip'
        ? ((body.port_id as string | null) ?? null)
        : typeof body.network_id === 'string'
          ? body.network_id
          : null;
    await ops.put(resourceType, resourceId, String(body.project_id), parent, stamp({ ...body, tags }, event, false));
  },
};
