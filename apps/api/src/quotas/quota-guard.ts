import { Inject, Injectable } from '@nestjs/common';
import { QUOTA_RESOURCES, type EventType, type QuotaResource } from '@cp/events';
import { fail, QUOTA, type UnitOfWork, WRITE_SIDE, type WriteSide } from '@cp/write-model';
import type { Tx } from '@cp/store';
import { SETTINGS, type Settings } from '../config';

/** The resources this control plane has, each with the event that makes one (the rest count 0). */
const CREATED_BY = {
  network: 'NetworkCreated',
  subnet: 'SubnetCreated',
  port: 'PortCreated',
  router: 'RouterCreated',
  floatingip: 'FloatingIpCreated',
  security_group: 'SecurityGroupCreated',
  security_group_rule: 'SecurityGroupRuleCreated',
} as const satisfies Partial<Record<QuotaResource, EventType>>;
export type CountedResource = keyof typeof CREATED_BY;
const isCounted = (r: QuotaResource): r is CountedResource => r in CREATED_BY;

export type Limits = Record<QuotaResource, number>;

/**
 * A project's limits and usage, and the check every create through the API makes (Neutron's
 * quota engine: a POST that would take a project past a limit is refused with 409 OverQuota;
 * what the control plane makes on its own, e.g. router interface ports or a default group, is
 * counted but not refused). Counted from the `resources` rows inside the command's transaction,
 * with what the command itself already made (a bulk create): writers are serialised, so two
 * creates cannot both take the last one.
 */
@Injectable()
export class QuotaGuard {
  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  get defaults(): Limits {
    return this.settings.quotaDefaults;
  }

  /** The project's limits: its own where an admin set them, the defaults elsewhere. */
  async limits(projectId: string, tx?: Tx): Promise<Limits> {
    const row = await this.ws.resources.get(QUOTA, projectId, tx);
    return { ...this.defaults, ...((row?.limits as Partial<Limits> | undefined) ?? {}) };
  }

  async usage(projectId: string, tx?: Tx): Promise<Limits> {
    const counts = await Promise.all(
      QUOTA_RESOURCES.map(async (r) => [r, isCounted(r) ? await this.ws.resources.countInProject(r, projectId, tx) : 0] as const),
    );
    return Object.fromEntries(counts) as Limits;
  }

  /** Refuses the create of `count` more of `resource` for the project when that passes its limit. */
  async check(uow: UnitOfWork, resource: CountedResource, projectId: string, count = 1): Promise<void> {
    const limit = (await this.limits(projectId, uow.tx))[resource];
    if (limit < 0) return;
    const stored = await this.ws.resources.countInProject(resource, projectId, uow.tx);
    const made = uow.decisions.filter(
      ({ event }) => event.type === CREATED_BY[resource] && (event.data as { projectId: string }).projectId === projectId,
    ).length;
    if (stored + made + count > limit) fail(409, 'OverQuota', `Quota exceeded for resources: ['${resource}'].`);
  }
}
