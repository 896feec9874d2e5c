import type { DataOf } from '../../../events/src';
import type { Events } from '../decider';

export type SubnetData = DataOf<'SubnetCreated'>;
export type SubnetChanges = Events<'SubnetUpdated'>['data']['changes'];
