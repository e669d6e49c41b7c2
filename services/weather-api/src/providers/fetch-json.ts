import { errorMessage } from '@homeiq/core';
import { ProviderError } from './types';

const SECRET_PARAMS = /([?&](?:appid|api_key|apikey|key|token)=)[^&#]*/gi;

/** The URL with its key-like query parameters replaced by ***, safe for logs and error messages. */
export function maskUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1***');
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * GET a JSON document. Every failure becomes a ProviderError whose message names the masked URL:
 * HTTP errors (with the provider's own reason when it gives one), timeouts, network errors, bodies that are not JSON.
 */
export async function fetchJson(url: string, timeoutMs: number, signal: AbortSignal): Promise<unknown> {
  const safe = maskUrl(url);
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      signal: AbortSignal.any([timeout, signal]),
      headers: { accept: 'application/json', 'user-agent': 'HomeIQ weather-api' },
    });
    text = await response.text();
  } catch (error) {
    if (timeout.aborted) throw new ProviderError('timeout', `no answer from ${safe} within ${timeoutMs} ms`);
    if (signal.aborted) throw new ProviderError('network', `request to ${safe} cancelled`);
    const cause = (error as { cause?: unknown }).cause;
    throw new ProviderError('network', `cannot reach ${safe}: ${errorMessage(cause ?? error)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (!response.ok) throw new ProviderError('http', `${safe} answered HTTP ${response.status}`, response.status);
    throw new ProviderError('malformed', `${safe} answered with a body that is not JSON`);
  }
  if (!response.ok) {
    const reason = providerReason(body);
    throw new ProviderError(
      'http',
      `${safe} answered HTTP ${response.status}${reason ? `: ${reason}` : ''}`,
      response.status,
      retryAfterMs(response.headers.get('retry-after')),
    );
  }
  return body;
}

/** Open-Meteo says {"error":true,"reason":...}; OpenWeatherMap {"cod":401,"message":...}. */
function providerReason(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const reason = typeof b.reason === 'string' ? b.reason : typeof b.message === 'string' ? b.message : undefined;
  return reason?.slice(0, 200);
}
