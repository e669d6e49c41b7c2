import { FetchJsonError, fetchJson as fetchJsonDocument } from '@homeiq/core';
import { ProviderError } from './types';

export { maskUrl } from '@homeiq/core';

/** GET a provider's JSON document; every failure becomes a ProviderError naming the masked URL. */
export async function fetchJson(url: string, timeoutMs: number, signal: AbortSignal): Promise<unknown> {
  try {
    return await fetchJsonDocument(url, { timeoutMs, signal, userAgent: 'HomeIQ weather-api' });
  } catch (error) {
    if (!(error instanceof FetchJsonError)) throw error;
    throw new ProviderError(error.failure, error.message, error.status, error.retryAfterMs);
  }
}
