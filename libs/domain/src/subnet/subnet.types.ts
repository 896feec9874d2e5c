import type { DataOf } from '@cp/events';
import type { Events } from '../decider';

export type SubnetData = DataOf<'SubnetCreated'>;
export type SubnetChanges = Events<'SubnetUpdated'>['data']['changes'];
