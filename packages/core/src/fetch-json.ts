import { errorMessage, HomeIqError } from './errors';

export type FetchFailure = 'timeout' | 'network' | 'http' | 'malformed';

/** A failed GET of a JSON document from an outside feed; the message names the URL with its keys masked. */
export class FetchJsonError extends HomeIqError {
  constructor(
    readonly failure: FetchFailure,
    message: string,
    readonly status?: number,
    /** From a Retry-After header, ms. */
    readonly retryAfterMs?: number,
  ) {
    super(`FETCH_${failure.toUpperCase()}`, message, { retryable: failure !== 'http' || status !== 401 });
  }
}

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

/** The server's own reason in an error body: {"reason": ...} (Open-Meteo) or {"message": ...} (most others). */
function serverReason(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const reason = typeof b.reason === 'string' ? b.reason : typeof b.message === 'string' ? b.message : undefined;
  return reason?.slice(0, 200);
}

/**
 * GET a JSON document. Every failure becomes a FetchJsonError: HTTP errors (with the server's reason when it
 * gives one, and Retry-After), timeouts, network errors, and bodies that are not JSON.
 */
export async function fetchJson(
  url: string,
  options: { timeoutMs: number; signal: AbortSignal; userAgent: string },
): Promise<unknown> {
  const safe = maskUrl(url);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      signal: AbortSignal.any([timeout, options.signal]),
      headers: { accept: 'application/json', 'user-agent': options.userAgent },
    });
    text = await response.text();
  } catch (error) {
    if (timeout.aborted) throw new FetchJsonError('timeout', `no answer from ${safe} within ${options.timeoutMs} ms`);
    if (options.signal.aborted) throw new FetchJsonError('network', `request to ${safe} cancelled`);
    const cause = (error as { cause?: unknown }).cause;
    throw new FetchJsonError('network', `cannot reach ${safe}: ${errorMessage(cause ?? error)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (!response.ok) throw new FetchJsonError('http', `${safe} answered HTTP ${response.status}`, response.status);
    throw new FetchJsonError('malformed', `${safe} answered with a body that is not JSON`);
  }
  if (!response.ok) {
    const reason = serverReason(body);
    throw new FetchJsonError(
      'http',
      `${safe} answered HTTP ${response.status}${reason ? `: ${reason}` : ''}`,
      response.status,
      retryAfterMs(response.headers.get('retry-after')),
    );
  }
  return body;
}
