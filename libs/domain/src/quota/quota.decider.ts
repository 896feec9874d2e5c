import type { QuotaResource } from '@cp/events';
import { assertNever, badRequest, notFound, type Decider, type Decision, type Events } from '../decider';

export type QuotaLimits = Partial<Record<QuotaResource, number>>;

/** A project's overrides of the default limits (none until an admin sets one). */
export interface QuotaState {
  limits: QuotaLimits;
}

export type QuotaCommand =
  | {
      type: 'SetQuotaLimits';
      data: {
        projectId: string;
        limits: QuotaLimits;
        /** What the project uses now, to refuse a limit below it (Neutron's check_limit); null: not checked. */
        usage: QuotaLimits | null;
      };
    }
  | { type: 'ResetQuotaLimits'; data: { projectId: string } };

type QuotaEvent = Events<'QuotaLimitsSet' | 'QuotaLimitsReset'>;

function decide(command: QuotaCommand, state: QuotaState): Decision<QuotaEvent> {
  switch (command.type) {
    case 'SetQuotaLimits': {
      const { projectId, limits, usage } = command.data;
      const entries = Object.entries(limits) as Array<[QuotaResource, number]>;
      for (const [resource, limit] of entries) {
        const used = usage?.[resource] ?? 0;
        if (usage !== null && limit !== -1 && used > limit) {
          return badRequest(`Quota limit ${limit} for ${resource} must be greater than or equal to already used ${used}`);
        }
      }
      const changed = Object.fromEntries(entries.filter(([resource, limit]) => state.limits[resource] !== limit));
      if (Object.keys(changed).length === 0) return [];
      return [{ type: 'QuotaLimitsSet', data: { projectId, limits: changed } }];
    }
    case 'ResetQuotaLimits': {
      const { projectId } = command.data;
      if (Object.keys(state.limits).length === 0) {
        return notFound('TenantQuotaNotFound', `Quota for tenant ${projectId} could not be found.`);
      }
      return [{ type: 'QuotaLimitsReset', data: { projectId } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: QuotaState, event: { type: string; data: unknown }): QuotaState {
  const e = event as QuotaEvent;
  switch (e.type) {
    case 'QuotaLimitsSet':
      return { limits: { ...state.limits, ...e.data.limits } };
    case 'QuotaLimitsReset':
      return { limits: {} };
    default:
      return state;
  }
}

/** One project's quota limits: who set what is in the log like every other change. */
export const quotaDecider: Decider<QuotaCommand, QuotaState, QuotaEvent> = {
  decide,
  evolve,
  initialState: () => ({ limits: {} }),
};
