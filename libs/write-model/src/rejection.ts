import type { Rejection } from '@cp/domain';

/** A domain rejection travelling up to the HTTP edge; the transaction rolls back. */
export class RejectionError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
    this.name = 'RejectionError';
  }
}

/** Refuse a request at the edge; statuses beyond the domain's (413, 503) are allowed here. */
export function fail(status: Rejection['status'] | 412 | 413 | 503, type: string, message: string): never {
  throw new RejectionError({ rejected: true, status: status as Rejection['status'], type, message });
}

/**
 * A command kept conflicting with concurrent writers and was given up: the HTTP
 * edge answers 503 (the client may retry); the scheduler logs it and moves on.
 */
export class RetriesExhausted extends RejectionError {
  constructor(readonly attempts: number) {
    super({
      rejected: true,
      status: 503 as Rejection['status'],
      type: 'ServiceUnavailable',
      message: `The request conflicted with concurrent changes ${attempts} times; retry it.`,
    });
    this.name = 'RetriesExhausted';
  }
}
