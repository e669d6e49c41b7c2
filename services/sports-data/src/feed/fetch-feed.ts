import { FetchJsonError, fetchJson } from '@homeiq/core';

export class FeedError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** GET a scoreboard; HTTP errors, timeouts, network errors and bodies that are not JSON become FeedErrors. */
export async function fetchFeed(url: string, timeoutMs: number, signal: AbortSignal): Promise<unknown> {
  try {
    return await fetchJson(url, { timeoutMs, signal, userAgent: 'HomeIQ sports-data' });
  } catch (error) {
    if (!(error instanceof FetchJsonError)) throw error;
    throw new FeedError(error.message, error.retryAfterMs || undefined);
  }
}
