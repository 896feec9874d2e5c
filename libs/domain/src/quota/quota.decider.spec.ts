import { spec } from '../testing/given-when-then';
import { quotaDecider } from './quota.decider';

const { given } = spec(quotaDecider);
const set = (limits: Record<string, number>, usage: Record<string, number> | null = {}) => ({
  type: 'SetQuotaLimits' as const,
  data: { projectId: 'p1', limits, usage },
});
const wasSet = (limits: Record<string, number>) => ({ type: 'QuotaLimitsSet' as const, data: { projectId: 'p1', limits } });

describe('quota decider', () => {
  it('records the limits an admin sets', () => {
    given([])
      .when(set({ network: 5, port: -1 }))
      .thenEvents([wasSet({ network: 5, port: -1 })]);
  });

  it('records only the limits that change, and nothing when none does', () => {
    given([wasSet({ network: 5 })])
      .when(set({ network: 5, router: 2 }))
      .thenEvents([wasSet({ router: 2 })]);
    given([wasSet({ network: 5 })])
      .when(set({ network: 5 }))
      .thenEvents([]);
  });

  it('refuses a limit below what the project already uses, unless forced', () => {
    given([])
      .when(set({ network: 1 }, { network: 3 }))
      .thenRejected(400, 'BadRequest', /^Quota limit 1 for network must be greater than or equal to already used 3$/);
    given([])
      .when(set({ network: 1 }, null))
      .thenEvents([wasSet({ network: 1 })]);
    given([])
      .when(set({ network: -1 }, { network: 3 }))
      .thenEvents([wasSet({ network: -1 })]);
  });

  it('resets a project to the defaults, and answers 404 when it had no limits of its own', () => {
    const reset = { type: 'ResetQuotaLimits' as const, data: { projectId: 'p1' } };
    given([wasSet({ network: 5 })])
      .when(reset)
      .thenEvents([{ type: 'QuotaLimitsReset', data: { projectId: 'p1' } }]);
    given([wasSet({ network: 5 }), { type: 'QuotaLimitsReset', data: { projectId: 'p1' } }])
      .when(reset)
      .thenRejected(404, 'TenantQuotaNotFound');
  });
});
