import type { Rejection } from '@cp/domain';

/** A domain rejection travelling up to the HTTP edge; the transaction rolls back. */
export class RejectionError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
    this.name = 'RejectionError';
  }
}

/** Refuse a request at the edge; statuses beyond the domain's (413, 503) are allowed here. */
export function fail(status: Rejection['status'] | 413 | 503, type: string, message: string): never {
  throw new RejectionError({ rejected: true, status: status as Rejection['status'], type, message });
}
