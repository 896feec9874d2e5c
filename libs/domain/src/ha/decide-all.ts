import type { DomainEventBody } from '@cp/events';
import { isRejection, type Decider, type Decision } from '../decider';

/**
 * Runs several commands against one stream as a single decision: each sees the
 * state left by the events of the previous ones (failover = unschedule the dead
 * agent, then schedule a replacement). All events or the first rejection.
 */
export function decideAll<C, S, E extends DomainEventBody>(decider: Decider<C, S, E>, state: S, commands: readonly C[]): Decision<E> {
  const events: E[] = [];
  let current = state;
  for (const command of commands) {
    const result = decider.decide(command, current);
    if (isRejection(result)) return result;
    for (const e of result) current = decider.evolve(current, e);
    events.push(...result);
  }
  return events;
}

/** Folds `events` onto `state` (the state a decision leaves behind). */
export function evolveAll<S, E extends DomainEventBody>(decider: Decider<unknown, S, E>, state: S, events: readonly DomainEventBody[]): S {
  return events.reduce<S>((s, e) => decider.evolve(s, e), state);
}
