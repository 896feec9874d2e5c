import type { DomainEventBody } from '@cp/events';
import { fold, isRejection, type Decider, type Rejection } from '../decider';

/**
 * given(events) / when(command) / then(events | rejection) for decider specs.
 * Plain functions: no Nest testing module is needed for pure deciders
 * (`given` is an arrow property, so specs may take it out: `const { given } = spec(decider)`).
 */
export function spec<C, S, E extends DomainEventBody>(decider: Decider<C, S, E>) {
  return {
    given: (events: DomainEventBody[]) => {
      const state = fold(decider as Decider<unknown, S, E>, events);
      return {
        state,
        when(command: C) {
          const result = decider.decide(command, state);
          return {
            result,
            thenEvents(expected: DomainEventBody[]) {
              if (isRejection(result)) throw new Error(`expected events, got rejection ${result.type}: ${result.message}`);
              expect(result).toEqual(expected);
              return result;
            },
            thenRejected(status: Rejection['status'], type: string, message?: RegExp) {
              if (!isRejection(result)) throw new Error(`expected rejection ${type}, got ${JSON.stringify(result)}`);
              expect({ status: result.status, type: result.type }).toEqual({ status, type });
              if (message) expect(result.message).toMatch(message);
              return result;
            },
          };
        },
      };
    },
  };
}
