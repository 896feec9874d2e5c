import { Inject, Injectable } from '@nestjs/common';
import { quotaDecider, type QuotaLimits } from '@cp/domain';
import { QUOTA_RESOURCES } from '@cp/events';
import { fail, QUOTA, quotaStream, WRITE_SIDE, type WriteSide } from '@cp/write-model';
import { enforce, type RequestContext } from '../platform/request-context';
import { QuotaGuard, type Limits } from './quota-guard';
import type { UpdateQuotaInput } from './quota.input';

/** Neutron shows a project's quota with its project named both ways. */
const shown = (projectId: string, limits: Limits) => ({ ...limits, project_id: projectId, tenant_id: projectId });

/**
 * Neutron's quotasv2 and quota_details: anyone reads their own project's limits; reading
 * another project's, listing and changing them take `get_quota`/`update_quota`/`delete_quota`
 * (admins by default). Changes are events (QuotaLimitsSet/Reset), audited like any other.
 */
@Injectable()
export class QuotasService {
  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    private readonly guard: QuotaGuard,
  ) {}

  /** Every project that has limits of its own (the others have the defaults). */
  async list(ctx: RequestContext) {
    enforce(ctx, 'get_quota', { project_id: ctx.projectId });
    const rows = await this.ws.resources.list(QUOTA);
    return rows.map((r) => shown(String(r.project_id), { ...this.guard.defaults, ...(r.limits as Partial<Limits>) }));
  }

  async show(ctx: RequestContext, projectId: string) {
    this.mayRead(ctx, projectId);
    return this.guard.limits(projectId);
  }

  defaults(ctx: RequestContext, projectId: string) {
    this.mayRead(ctx, projectId);
    return this.guard.defaults;
  }

  /** quota_details: each resource's limit, what the project uses, and reserved (always 0: no reservations). */
  async details(ctx: RequestContext, projectId: string) {
    this.mayRead(ctx, projectId);
    const [limits, usage] = await Promise.all([this.guard.limits(projectId), this.guard.usage(projectId)]);
    return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, { limit: limits[r], used: usage[r], reserved: 0 }]));
  }

  async update(ctx: RequestContext, projectId: string, input: UpdateQuotaInput) {
    checkProjectId(projectId);
    enforce(ctx, 'update_quota', { project_id: projectId });
    const { force, check_limit: checkLimit, ...given } = input;
    const limits = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as QuotaLimits;
    await this.ws.runner.run(ctx, async (uow) => {
      const usage = checkLimit && !force ? await this.guard.usage(projectId, uow.tx) : null;
      await uow.decide(quotaDecider, quotaStream(projectId), { type: 'SetQuotaLimits', data: { projectId, limits, usage } });
    });
    return this.guard.limits(projectId);
  }

  async reset(ctx: RequestContext, projectId: string): Promise<void> {
    enforce(ctx, 'delete_quota', { project_id: projectId });
    await this.ws.runner.run(ctx, (uow) =>
      uow.decide(quotaDecider, quotaStream(projectId), { type: 'ResetQuotaLimits', data: { projectId } }),
    );
  }

  private mayRead(ctx: RequestContext, projectId: string): void {
    checkProjectId(projectId);
    if (projectId !== ctx.projectId) enforce(ctx, 'get_quota', { project_id: projectId });
  }
}

/** A project id is a Keystone id: stored as the rows' project, so it is bounded like any id. */
function checkProjectId(projectId: string): void {
  if (projectId.length > 64) fail(400, 'HTTPBadRequest', `Invalid input for project_id: '${projectId.slice(0, 64)}…' is too long.`);
}
