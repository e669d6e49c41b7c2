import { StoreError } from '../errors';
import type { StorageConfig } from '../runtime';

/** What a write request came back with, when the server answered with something other than success. */
export type WriteOutcome =
  | { ok: true }
  /** The points themselves were refused (400/422): some or all of them; `message` names them when it can. */
  | { ok: false; kind: 'rejected'; status: number; message: string }
  /** The body was too large (413): split and send again. */
  | { ok: false; kind: 'too-large'; status: number; message: string }
  /** v1: the database does not exist (a fresh or wiped server). */
  | { ok: false; kind: 'no-database'; status: number; message: string };

export interface QueryResult {
  statement_id?: number;
  error?: string;
  series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
}

const WRITE_TIMEOUT_MS = 30_000;
const QUERY_TIMEOUT_MS = 60_000;

/** Retry-After as ms: seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: plain text
  }
  return body.trim().slice(0, 2000);
}

/**
 * The HTTP side of InfluxDB: v1 (`/write`, `/query`, Basic auth) or the v2 write API (token, org, bucket),
 * InfluxQL through `/query` in both (v2: the bucket's DBRP mapping, virtual since 2.4). Classifies failures:
 * network errors, timeouts, 5xx, 429, 401/403 -> StoreError retryable (the data is fine; the server or the
 * credentials must change); 400/422 -> the points are refused.
 */
export class InfluxHttp {
  readonly v2: boolean;
  readonly database: string;
  private readonly base: string;
  private readonly headers: Record<string, string> = {};
  private readonly writeUrl: string;

  constructor(config: StorageConfig) {
    if (!config.influxUrl) throw new Error('INFLUXDB_URL is not set');
    this.base = config.influxUrl.replace(/\/+$/, '');
    this.v2 = Boolean(config.influxToken && config.influxOrg && config.influxBucket);
    this.database = this.v2 ? config.influxBucket! : config.influxDatabase;
    if (config.influxToken) this.headers.authorization = `Token ${config.influxToken}`;
    else if (config.influxUsername) {
      const raw = `${config.influxUsername}:${config.influxPassword ?? ''}`;
      this.headers.authorization = `Basic ${Buffer.from(raw).toString('base64')}`;
    }
    const q = new URLSearchParams();
    if (this.v2) {
      q.set('org', config.influxOrg!);
      q.set('bucket', config.influxBucket!);
      q.set('precision', 'us');
      this.writeUrl = `${this.base}/api/v2/write?${q}`;
    } else {
      q.set('db', this.database);
      q.set('precision', 'u');
      this.writeUrl = `${this.base}/write?${q}`;
    }
  }

  private async request(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new StoreError(`InfluxDB ${what}: ${reason}`, { retryable: true, cause: error });
    }
  }

  private async failure(res: Response, what: string): Promise<StoreError> {
    const message = errorText(await res.text().catch(() => ''));
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    const retryable = res.status >= 500 || res.status === 429 || res.status === 401 || res.status === 403;
    return new StoreError(`InfluxDB ${what}: HTTP ${res.status}: ${message}`, {
      retryable,
      status: res.status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  async ping(): Promise<void> {
    const res = await this.request(`${this.base}/ping`, { headers: this.headers }, 5000, 'ping');
    await res.arrayBuffer().catch(() => undefined);
    if (res.status !== 204 && res.status !== 200)
      throw new StoreError(`InfluxDB ping: HTTP ${res.status}`, { retryable: true, status: res.status });
  }

  /** Sends line protocol; throws StoreError for retryable failures, returns the rest. */
  async write(body: string): Promise<WriteOutcome> {
    const res = await this.request(
      this.writeUrl,
      { method: 'POST', body, headers: { ...this.headers, 'content-type': 'text/plain; charset=utf-8' } },
      WRITE_TIMEOUT_MS,
      'write',
    );
    if (res.status === 204 || res.status === 200) {
      await res.arrayBuffer().catch(() => undefined);
      return { ok: true };
    }
    if (res.status === 400 || res.status === 422 || res.status === 413 || res.status === 404) {
      const message = errorText(await res.text().catch(() => ''));
      if (res.status === 413) return { ok: false, kind: 'too-large', status: 413, message };
      if (res.status === 404) {
        if (/database not found/i.test(message) && !this.v2)
          return { ok: false, kind: 'no-database', status: 404, message };
        throw new StoreError(`InfluxDB write: HTTP 404: ${message}`, { retryable: true, status: 404 });
      }
      return { ok: false, kind: 'rejected', status: res.status, message };
    }
    throw await this.failure(res, 'write');
  }

  /** Runs InfluxQL (several statements may be joined with ';'); statement errors come back per result. */
  async query(q: string, options: { write?: boolean } = {}): Promise<QueryResult[]> {
    const params = new URLSearchParams({ q, db: this.database, epoch: 'u' });
    const res = await this.request(
      `${this.base}/query`,
      {
        method: 'POST',
        body: params.toString(),
        headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' },
      },
      QUERY_TIMEOUT_MS,
      options.write ? 'statement' : 'query',
    );
    if (res.status !== 200) throw await this.failure(res, 'query');
    const body = (await res.json()) as { results?: QueryResult[]; error?: string };
    if (body.error) throw new StoreError(`InfluxDB query: ${body.error}`, { retryable: false });
    return body.results ?? [];
  }

  /** v2 only: the delete API (InfluxQL DELETE is v1-only). */
  async deleteV2(
    measurement: string,
    stopIso: string,
    orgBucket: { org: string; bucket: string },
    range: { startIso?: string; entityId?: string } = {},
  ): Promise<void> {
    let predicate = `_measurement="${measurement.replace(/["\\]/g, '\\$&')}"`;
    if (range.entityId !== undefined) predicate += ` AND entity_id="${range.entityId.replace(/["\\]/g, '\\$&')}"`;
    const q = new URLSearchParams(orgBucket);
    const res = await this.request(
      `${this.base}/api/v2/delete?${q}`,
      {
        method: 'POST',
        headers: { ...this.headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          start: range.startIso ?? '1677-09-21T00:12:43.145224194Z',
          stop: stopIso,
          predicate,
        }),
      },
      QUERY_TIMEOUT_MS,
      'delete',
    );
    if (res.status !== 204 && res.status !== 200) throw await this.failure(res, 'delete');
    await res.arrayBuffer().catch(() => undefined);
  }
}
