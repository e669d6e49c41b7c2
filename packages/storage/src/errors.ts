import { HomeIqError } from '@homeiq/core';

/** A store operation failed; `retryable` says whether the same call may succeed later. */
export class StoreError extends HomeIqError {
  /** HTTP status from a remote store, when there was one. */
  readonly status: number | undefined;
  /** Server-suggested wait before retrying (Retry-After), ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: { retryable: boolean; cause?: unknown; status?: number; retryAfterMs?: number },
  ) {
    super(options.retryable ? 'STORE_UNAVAILABLE' : 'STORE_REJECTED', message, options);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}
