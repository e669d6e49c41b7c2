import { errorMessage } from '@homeiq/core';

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
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      signal: AbortSignal.any([timeout, signal]),
      headers: { accept: 'application/json', 'user-agent': 'HomeIQ sports-data' },
    });
    text = await response.text();
  } catch (error) {
    if (timeout.aborted) throw new FeedError(`no answer from ${url} within ${timeoutMs} ms`);
    const cause = (error as { cause?: unknown }).cause;
    throw new FeedError(`cannot reach ${url}: ${errorMessage(cause ?? error)}`);
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new FeedError(
      `${url} answered HTTP ${response.status}`,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new FeedError(`${url} answered with a body that is not JSON`);
  }
}
