import type { DomainEvent } from '@cp/events';
import type { ResourceMapper } from './resource-mapper';

/** One row per project with limits of its own: `{ project_id, limits }` (the defaults are settings, not rows). */
export const QUOTA = 'quota';

export const quotaMapper: ResourceMapper = {
  handles: ['QuotaLimitsSet', 'QuotaLimitsReset'],
  async apply(event: DomainEvent, ops) {
    switch (event.type) {
      case 'QuotaLimitsSet': {
        const { projectId, limits } = event.data;
        const before = await ops.get(QUOTA, projectId);
        const merged = { ...((before?.limits as Record<string, number> | undefined) ?? {}), ...limits };
        return ops.put(QUOTA, projectId, projectId, null, { project_id: projectId, limits: merged });
      }
      case 'QuotaLimitsReset':
        return ops.remove(QUOTA, event.data.projectId);
      default:
        return;
    }
  },
};
