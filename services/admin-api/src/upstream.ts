import { errorMessage } from '@homeiq/core';

/** The outcome of one call to another service: its answer, or why there was none. */
export type UpstreamResult<T> =
  | { ok: true; status: number; body: T; ms: number }
  | { ok: false; status: number | null; error: string; notRunning: boolean; ms: number };

function describe(error: unknown, url: string, timeoutMs: number): { error: string; notRunning: boolean } {
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = cause?.code;
  if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') {
    return { error: `no answer within ${timeoutMs} ms`, notRunning: false };
  }
  if (code === 'ECONNREFUSED') return { error: `not running (nothing listens at ${url})`, notRunning: true };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { error: `host not found (${url})`, notRunning: true };
  return { error: code ? `${code}: ${errorMessage(cause)}` : errorMessage(error), notRunning: false };
}

/**
 * GET a JSON document from another service with a timeout. `acceptStatus` lists the non-2xx codes whose
 * body is still the answer (503 from /health carries the report).
 */
export async function getJson<T>(
  base: string,
  path: string,
  options: { timeoutMs: number; apiKey?: string; acceptStatus?: number[] },
): Promise<UpstreamResult<T>> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  try {
    const res = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(options.timeoutMs) });
    if (!res.ok && !(options.acceptStatus ?? []).includes(res.status)) {
      await res.body?.cancel();
      return { ok: false, status: res.status, error: `HTTP ${res.status} from ${path}`, notRunning: false, ms: ms() };
    }
    const body = (await res.json()) as T;
    return { ok: true, status: res.status, body, ms: ms() };
  } catch (error) {
    return { ok: false, status: null, ...describe(error, base, options.timeoutMs), ms: ms() };
  }
}

/** InfluxDB's /ping answers 204 when it is up (every version from 1.x to 3.x). */
export async function pingInflux(
  url: string,
  timeoutMs: number,
): Promise<{ ok: boolean; ms: number; version?: string; error?: string }> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    const ms = Math.round(performance.now() - started);
    if (res.status === 204 || res.status === 200) {
      return { ok: true, ms, version: res.headers.get('x-influxdb-version') ?? undefined };
    }
    return { ok: false, ms, error: `HTTP ${res.status} from /ping` };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), ...describe(error, url, timeoutMs) };
  }
}
