// Fuzzes every route of a service's app in-process (app.inject: no sockets): random and hostile values for each
// path parameter, query parameter and body field its schema declares (and some it does not), for a bounded time
// and number of requests. Any 5xx, a request that hangs, or RSS over a ceiling is a failure.
import assert from 'node:assert/strict';
import { type HttpApp, routesOf } from '../http';
import { isCi } from './dependency';

export interface FuzzOptions {
  apiKey: string;
  /** Wall time, ms (default FUZZ_SECONDS, else 60 s under CI and 3 s locally). */
  durationMs?: number;
  /** Request cap whatever the time (default 200000: a safety net; the duration is the real bound). */
  maxRequests?: number;
  /** "METHOD /url" of routes not to call, with why (streams that never end are tested elsewhere). */
  skip?: Record<string, string>;
  /** RSS ceiling, bytes (default 1 GB). */
  maxRssBytes?: number;
  seed?: number;
}

export interface FuzzReport {
  requests: number;
  routes: number;
  byStatus: Record<number, number>;
  failures: string[];
  peakRss: number;
}

/** Duration from FUZZ_SECONDS, else 60 s under CI=true, else a short local run. */
export function fuzzDurationMs(): number {
  const raw = process.env.FUZZ_SECONDS;
  if (raw !== undefined && raw !== '') {
    const s = Number(raw);
    if (!Number.isFinite(s) || s <= 0) throw new Error(`FUZZ_SECONDS must be a positive number, got "${raw}"`);
    return s * 1000;
  }
  return isCi() ? 60_000 : 3_000;
}

/** Each request may take this long before it counts as hanging. */
const REQUEST_TIMEOUT_MS = 10_000;

type Schema = { type?: unknown; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] } & Record<
  string,
  unknown
>;

/** xorshift32: reproducible runs from a seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  'NaN',
  '-1',
  '0',
  '1.5',
  '9007199254740993',
  '99999999999999999999999',
  '0x10',
  'true',
  'null',
  '[]',
  '{}',
  'a\u0000b',
  '\u0000',
  'bell\u0007\u001b[31m',
  'line\nbreak\r',
  "'; DROP TABLE events; --",
  '" OR 1=1 /.*/',
  '../../../../etc/passwd',
  '%00%ff%fe',
  '\ud800',
  'sensor.x',
  'sensor.a\u0000b',
  '2024-13-45T99:99:99Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999Z',
  '-271821-04-20T00:00:00Z',
  '😀'.repeat(300),
];

export class RouteFuzzer {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = rng(seed);
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** A hostile string: from the list, a long one, or random bytes including control characters. */
  string(): string {
    const r = this.random();
    if (r < 0.6) return this.pick(HOSTILE_STRINGS);
    if (r < 0.7) return 'x'.repeat(Math.floor(this.random() * 100_000));
    let s = '';
    const n = Math.floor(this.random() * 40);
    for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(this.random() * 0x3000));
    return s;
  }

  /** A value for a query or path parameter (text on the wire), sometimes one the schema would accept. */
  param(schema: Schema | undefined): string {
    if (schema && this.chance(0.3)) return this.plausible(schema);
    return this.string();
  }

  private plausible(schema: Schema): string {
    const type = schema.type ?? schema.anyOf?.[0]?.type;
    if (type === 'integer' || type === 'number') {
      return String(this.pick([0, 1, 10, 100, 10_000, -5, 2 ** 31, 2 ** 53, 1e21]));
    }
    if (type === 'boolean') return this.pick(['true', 'false']);
    if (Array.isArray(schema.anyOf)) {
      const constant = schema.anyOf.find((s) => typeof s.const === 'string');
      if (constant) return String(constant.const);
    }
    return this.pick(['sensor.kitchen_temperature', 'light.living_room', 'on', '2024-03-10T00:00:00Z', 'a']);
  }

  /** A JSON body: usually shaped like the schema with hostile leaves, sometimes deep or the wrong type. */
  body(schema: Schema | undefined, depth = 0): unknown {
    const r = this.random();
    if (depth === 0 && r < 0.05) return deepJson(this.chance(0.5) ? 70 : 5000);
    if (depth === 0 && r < 0.1) return this.pick([null, 42, 'text', [], [1, 2], true]);
    if (depth > 4) return this.leaf();
    if (schema?.properties) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(schema.properties)) {
        if (this.chance(0.8)) out[key] = this.body(child, depth + 1);
      }
      if (this.chance(0.2)) out[this.string().slice(0, 50)] = this.leaf();
      return out;
    }
    if (schema?.type === 'array')
      return Array.from({ length: Math.floor(this.random() * 4) }, () => this.body(schema.items, depth + 1));
    if ((schema?.type === 'string' || schema?.type === undefined) && this.chance(0.3) && schema) {
      return this.plausible(schema);
    }
    return this.leaf();
  }

  private leaf(): unknown {
    return this.pick<() => unknown>([
      () => this.string(),
      () => this.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1e-320]),
      () => this.pick([true, false, null]),
      () => [this.string()],
      () => ({ [this.string().slice(0, 20)]: this.string() }),
    ])();
  }
}

/** JSON text nested `depth` deep (as text: JSON.stringify cannot build it beyond a few thousand levels). */
function deepJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** URL-encodes any string: a lone surrogate (not encodable) becomes U+FFFD, as a browser would send it. */
function enc(s: string): string {
  return encodeURIComponent(s.replace(LONE_SURROGATE, '\ufffd'));
}

function fillPath(url: string, params: Schema | undefined, f: RouteFuzzer): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => enc(f.param(params?.properties?.[name])));
}

function queryString(query: Schema | undefined, f: RouteFuzzer): string {
  const parts: string[] = [];
  for (const [key, child] of Object.entries(query?.properties ?? {})) {
    if (!f.chance(0.6)) continue;
    const n = child.type === 'array' && f.chance(0.5) ? 3 : 1;
    for (let i = 0; i < n; i++) parts.push(`${key}=${enc(f.param(child.items ?? child))}`);
  }
  if (f.chance(0.1)) parts.push(`${enc(f.string().slice(0, 30))}=${enc(f.string())}`);
  if (f.chance(0.05)) parts.push('%zz=%');
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Calls every route of `app` with fuzzed input until the time or request budget is spent. */
export async function fuzzRoutes(app: HttpApp, options: FuzzOptions): Promise<FuzzReport> {
  await app.ready();
  const routes = routesOf(app).filter((r) => !r.websocket && !(`${r.method} ${r.url}` in (options.skip ?? {})));
  assert.ok(routes.length > 0, 'no routes to fuzz: was the app built with createHttpApp?');
  const f = new RouteFuzzer(options.seed ?? 1);
  const deadline = Date.now() + (options.durationMs ?? fuzzDurationMs());
  const maxRequests = options.maxRequests ?? 200_000;
  const maxRss = options.maxRssBytes ?? 1024 * 1024 * 1024;
  const report: FuzzReport = { requests: 0, routes: routes.length, byStatus: {}, failures: [], peakRss: 0 };
  const headers = { authorization: `Bearer ${options.apiKey}` };
  while (Date.now() < deadline && report.requests < maxRequests && report.failures.length < 20) {
    // Every route once per round, so each gets its share whatever its speed.
    for (const route of routes) {
      const schema = route.schema as Record<string, Schema | undefined> | undefined;
      const url = fillPath(route.url, schema?.params, f) + queryString(schema?.querystring, f);
      const hasBody = route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH';
      const body = hasBody ? f.body(schema?.body) : undefined;
      const payload = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
      const what = `${route.method} ${url.slice(0, 200)}${payload ? ` body ${payload.slice(0, 200)}` : ''}`;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), REQUEST_TIMEOUT_MS);
      });
      const res = await Promise.race([
        app.inject({
          method: route.method as 'GET',
          url,
          headers: {
            // Now and then a wrong key, or none: the refusal path is fuzzed too.
            ...(f.chance(0.05) ? { authorization: f.pick(['Bearer x', 'Basic a\u0000b', '']) } : headers),
            ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(payload === undefined ? {} : { payload }),
        }),
        timeout,
      ]);
      clearTimeout(timer);
      report.requests++;
      if (res === 'timeout') {
        report.failures.push(`no answer in ${REQUEST_TIMEOUT_MS} ms: ${what}`);
        continue;
      }
      report.byStatus[res.statusCode] = (report.byStatus[res.statusCode] ?? 0) + 1;
      // 503 is a deliberate answer (no data yet, a dependency down); any other 5xx is a bug the input found.
      if (res.statusCode >= 500 && res.statusCode !== 503)
        report.failures.push(`${res.statusCode} ${res.body.slice(0, 300)} <- ${what}`);
      const rss = process.memoryUsage().rss;
      report.peakRss = Math.max(report.peakRss, rss);
      if (rss > maxRss) report.failures.push(`RSS ${Math.round(rss / 1e6)} MB over the ceiling after ${what}`);
    }
  }
  return report;
}

/** The report's verdict: no 5xx, hang or RSS breach, and the run really exercised the routes (some 2xx and 4xx). */
export function assertFuzzClean(report: FuzzReport, minRoutes: number): void {
  const statuses = JSON.stringify(report.byStatus);
  assert.deepEqual(report.failures, [], `failures (statuses ${statuses})`);
  assert.ok(report.routes >= minRoutes, `only ${report.routes} routes found`);
  assert.ok(report.requests >= report.routes, `only ${report.requests} requests`);
  const count = (from: number, to: number) =>
    Object.entries(report.byStatus).reduce((n, [s, c]) => (Number(s) >= from && Number(s) < to ? n + c : n), 0);
  assert.ok(count(200, 300) > 0, `no request succeeded: ${statuses}`);
  assert.ok(count(400, 500) > 0, `no request was refused: ${statuses}`);
}
