import type { DomainEventBody, EventType } from '@cp/events';

/**
 * Why a command was refused. `status` follows Neutron's codes; `type` is the
 * Neutron exception name a client sees in `NeutronError.type`.
 */
export interface Rejection {
  readonly rejected: true;
  readonly status: 400 | 403 | 404 | 409;
  readonly type: string;
  readonly message: string;
}

export function reject(status: Rejection['status'], type: string, message: string): Rejection {
  return { rejected: true, status, type, message };
}

export const badRequest = (message: string, type = 'BadRequest') => reject(400, type, message);
export const notFound = (type: string, message: string) => reject(404, type, message);
export const conflict = (type: string, message: string) => reject(409, type, message);

export function isRejection(x: unknown): x is Rejection {
  return typeof x === 'object' && x !== null && (x as Rejection).rejected === true;
}

export type Decision<E extends DomainEventBody = DomainEventBody> = E[] | Rejection;

/** Narrow the event union to some of its types: `Events<'PortCreated' | 'PortDeleted'>`. */
export type Events<K extends EventType> = Extract<DomainEventBody, { type: K }>;

/**
 * A decider: pure functions over plain data. `decide` sees the command and the
 * state folded from the stream and returns events or a rejection; `evolve` folds
 * one event into state. No clock, randomness, I/O or framework in here: times
 * and generated ids arrive in the command.
 */
export interface Decider<C, S, E extends DomainEventBody> {
  decide(command: C, state: S): Decision<E>;
  evolve(state: S, event: E | DomainEventBody): S;
  initialState(): S;
}

export function fold<S, E extends DomainEventBody>(decider: Decider<unknown, S, E>, events: readonly DomainEventBody[]): S {
  return events.reduce<S>((s, e) => decider.evolve(s, e), decider.initialState());
}

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
