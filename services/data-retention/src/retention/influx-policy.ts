import { errorMessage } from '@homeiq/core';
import type { StorageConfig } from '@homeiq/storage';
import type { Policies } from '../policies';

export interface ServerPolicyResult {
  server: string;
  action: 'unchanged' | 'altered' | 'skipped' | 'failed';
  /** The retention the server now applies to the whole database/bucket; "INF" = forever. */
  duration?: string;
  detail: string;
}

/**
 * The server-side backstop for the tiers. Every tier lives in one database (1.x) or bucket (2.x), and a server
 * retention policy drops whole shards of every measurement in it, so the server may only enforce the LONGEST tier:
 * forever (INF) as soon as any tier is kept forever (the default: hourly statistics), else the longest tier's days.
 * The shorter tiers are trimmed by the daily job's deletes.
 *  - 1.x: ALTER RETENTION POLICY on the database's default policy (through /query).
 *  - 2.x (INFLUXDB_TOKEN + ORG + BUCKET): PATCH /api/v2/buckets/{id} retentionRules.
 *  - 3.x and anything else: skipped (3.x sets retention per database with its own tooling).
 */
export async function applyServerPolicy(config: StorageConfig, policies: Policies): Promise<ServerPolicyResult> {
  const base = config.influxUrl;
  if (!base) return { server: 'none', action: 'skipped', detail: 'not an InfluxDB store' };
  const days = [policies.raw_days, policies.short_term_days, policies.hourly_days];
  const longest = days.includes(0) ? 0 : Math.max(...days);
  let version = 'unknown';
  try {
    const ping = await fetch(`${base}/ping`, { headers: authHeaders(config), signal: AbortSignal.timeout(10_000) });
    version = ping.headers.get('x-influxdb-version') ?? 'unknown';
    const major = /^v?(\d+)\./.exec(version)?.[1];
    if (major === '1') return await alterV1(config, base, version, longest);
    if (major === '2' && config.influxToken && config.influxOrg && config.influxBucket) {
      return await patchV2Bucket(config, base, version, longest);
    }
    return { server: version, action: 'skipped', detail: `no retention API used for InfluxDB ${version}` };
  } catch (error) {
    return { server: version, action: 'failed', detail: errorMessage(error) };
  }
}

function authHeaders(config: StorageConfig): Record<string, string> {
  if (config.influxToken) return { authorization: `Token ${config.influxToken}` };
  if (config.influxUsername) {
    const basic = Buffer.from(`${config.influxUsername}:${config.influxPassword ?? ''}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  return {};
}

async function influxQl(config: StorageConfig, base: string, q: string): Promise<unknown[]> {
  const res = await fetch(`${base}/query`, {
    method: 'POST',
    headers: { ...authHeaders(config), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ q, db: config.influxDatabase }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json().catch(() => ({}))) as {
    results?: Array<{ error?: string; series?: unknown[] }>;
    error?: string;
  };
  const error = body.error ?? body.results?.[0]?.error;
  if (!res.ok || error) throw new Error(`InfluxQL "${q}" failed (${res.status}): ${error ?? 'no detail'}`);
  return body.results?.[0]?.series ?? [];
}

/** InfluxQL durations: "0s" reads back as "0s" (infinite); days as e.g. "8760h0m0s". */
function hoursOf(duration: string): number {
  let h = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)([wdhms])/g)) {
    const v = Number(n);
    h += unit === 'w' ? v * 168 : unit === 'd' ? v * 24 : unit === 'h' ? v : unit === 'm' ? v / 60 : v / 3600;
  }
  return h;
}

async function alterV1(
  config: StorageConfig,
  base: string,
  version: string,
  days: number,
): Promise<ServerPolicyResult> {
  const db = config.influxDatabase;
  const series = (await influxQl(config, base, `SHOW RETENTION POLICIES ON "${db}"`)) as Array<{
    columns: string[];
    values: unknown[][];
  }>;
  const s = series[0];
  if (!s) return { server: version, action: 'skipped', detail: `database "${db}" has no retention policy yet` };
  const col = (name: string) => s.columns.indexOf(name);
  const row = s.values.find((v) => v[col('default')] === true);
  if (!row) return { server: version, action: 'skipped', detail: `database "${db}" has no default retention policy` };
  const name = String(row[col('name')]);
  const current = String(row[col('duration')]);
  const wanted = days === 0 ? 'INF' : `${days}d`;
  if (hoursOf(current) === days * 24) {
    return {
      server: version,
      action: 'unchanged',
      duration: wanted,
      detail: `policy "${name}" on "${db}" is ${current}`,
    };
  }
  await influxQl(config, base, `ALTER RETENTION POLICY "${name}" ON "${db}" DURATION ${wanted}`);
  return {
    server: version,
    action: 'altered',
    duration: wanted,
    detail: `policy "${name}" on "${db}": ${current} -> ${wanted}`,
  };
}

async function patchV2Bucket(
  config: StorageConfig,
  base: string,
  version: string,
  days: number,
): Promise<ServerPolicyResult> {
  const headers = { ...authHeaders(config), 'content-type': 'application/json' };
  const query = new URLSearchParams({ org: config.influxOrg ?? '', name: config.influxBucket ?? '' });
  const res = await fetch(`${base}/api/v2/buckets?${query}`, { headers, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /api/v2/buckets failed (${res.status})`);
  const found = (
    (await res.json()) as { buckets?: Array<{ id: string; retentionRules?: Array<{ everySeconds: number }> }> }
  ).buckets?.[0];
  if (!found) return { server: version, action: 'skipped', detail: `bucket "${config.influxBucket}" not found` };
  const every = days * 86_400;
  const current = found.retentionRules?.[0]?.everySeconds ?? 0;
  const wanted = days === 0 ? 'INF' : `${days}d`;
  if (current === every)
    return { server: version, action: 'unchanged', duration: wanted, detail: `bucket retention ${current}s` };
  const patch = await fetch(`${base}/api/v2/buckets/${found.id}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ retentionRules: days === 0 ? [] : [{ type: 'expire', everySeconds: every }] }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!patch.ok) throw new Error(`PATCH /api/v2/buckets/${found.id} failed (${patch.status})`);
  return { server: version, action: 'altered', duration: wanted, detail: `bucket retention ${current}s -> ${every}s` };
}
