// data-api read latency and throughput through real HTTP, each against the raw store call in the same run:
// - history of one entity over 24 h in a 10M-event embedded store (p95, goal <= 10 ms through HTTP);
// - the same query on InfluxDB (1M events, same per-entity density: loading 10M into influxd takes too long here);
// - GET /api/v1/events pages of 1000 followed by cursor, pages per second, on both stores.
// The HTTP client is a separate process; raw and HTTP samples alternate so both see the same machine load.
// BENCH_QUICK=1: 500k events embedded, 100k InfluxDB, fewer samples.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { listen, loadConfig, silentLogger } from '@homeiq/core';
import { influxdAvailability, startInfluxd } from '@homeiq/core/testing/influxd';
import {
  type EventCursor,
  InProcessLiveFeed,
  type MetadataStore,
  type StateEvent,
  storageSchema,
  type TimeSeriesStore,
} from '@homeiq/storage';
import { InfluxStore } from '@homeiq/storage/influx/influx-store';
import { SqliteMetadataStore } from '@homeiq/storage/metadata/sqlite-metadata';
import { SqliteTimeSeriesStore } from '@homeiq/storage/sqlite/sqlite-store';
import { buildApp } from '../services/data-api/src/app';
import type { BenchContext, BenchResult } from './types';

const SUITE = 'data-api';
const KEY = 'bench-key';
const HOUR = 3_600_000_000;
const DAY = 24 * HOUR;
/** Events per entity over the span: ~500 a day each, one every ~3 minutes (a busy but ordinary sensor). */
const PER_ENTITY = 10_000;
const SPAN_DAYS = 20;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function ulid(us: number, n: number): string {
  let ms = Math.floor(us / 1000);
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  let r = (n * 2654435761) >>> 0;
  for (let i = 0; i < 16; i++) {
    r = (r * 1103515245 + 12345) >>> 0;
    out += CROCKFORD[(r >>> 16) % 32];
  }
  return out;
}

interface Home {
  entities: Array<{ id: string; attributes: Record<string, unknown>; numeric: boolean; area: string }>;
  start: number;
  end: number;
  total: number;
}

function home(total: number): Home {
  const count = Math.max(10, Math.round(total / PER_ENTITY));
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  const entities = Array.from({ length: count }, (_, i) => {
    const kind = i % 4;
    const area = `area_${i % 20}`;
    if (kind === 0 || kind === 1) {
      return {
        id: `sensor.bench_${i}`,
        numeric: true,
        area,
        attributes: {
          state_class: 'measurement',
          unit_of_measurement: '°C',
          device_class: 'temperature',
          friendly_name: `Sensor ${i}`,
        },
      };
    }
    if (kind === 2) {
      return {
        id: `light.bench_${i}`,
        numeric: false,
        area,
        attributes: { brightness: 128, color_mode: 'color_temp', friendly_name: `Light ${i}` },
      };
    }
    return {
      id: `binary_sensor.bench_${i}`,
      numeric: false,
      area,
      attributes: { device_class: 'motion', friendly_name: `Motion ${i}` },
    };
  });
  return { entities, start: end - SPAN_DAYS * DAY, end, total: count * PER_ENTITY };
}

/**
 * The home's events in bulk-load order: entity by entity, each in time order (the rows stored are the same as in
 * arrival order, but each batch then touches one or two entities' key ranges, so 10M load in minutes).
 */
function* batches(h: Home, size: number): Generator<StateEvent[]> {
  const n = h.entities.length;
  const step = Math.floor((h.end - h.start) / h.total);
  let batch: StateEvent[] = [];
  for (let i = 0; i < n; i++) {
    const e = h.entities[i]!;
    for (let round = 0; round < PER_ENTITY; round++) {
      const k = round * n + i; // the arrival index had the events come round robin
      const time = h.start + k * step + (k % 997);
      const state = e.numeric ? (20 + ((round * 7 + k) % 100) / 10).toFixed(1) : round % 2 ? 'on' : 'off';
      batch.push({
        entityId: e.id,
        time,
        lastChanged: time,
        state,
        removed: false,
        attributes: e.attributes,
        contextId: ulid(time, k),
        contextParentId: null,
        contextUserId: null,
        origin: 'LOCAL',
        areaId: e.area,
        deviceId: null,
      });
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

async function load(
  store: TimeSeriesStore,
  h: Home,
  batchSize: number,
  ctx: BenchContext,
  label: string,
): Promise<number> {
  const t0 = performance.now();
  let written = 0;
  for (const batch of batches(h, batchSize)) {
    await store.writeEvents(batch);
    written += batch.length;
    if (written % 1_000_000 < batchSize) ctx.log(`${label}: ${written} events loaded`);
  }
  return written / ((performance.now() - t0) / 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Alternates `a(i)` (timed here) and `b(i)` (which reports its own time) and returns both, sorted, in ms. */
async function paired(
  samples: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<number>,
): Promise<{ a: number[]; b: number[] }> {
  for (let i = 0; i < 20; i++) {
    await a(i);
    await b(i);
  }
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await a(i);
    out.a.push(performance.now() - t);
    out.b.push(await b(i)); // measured by the client process, request to last byte
  }
  out.a.sort((x, y) => x - y);
  out.b.sort((x, y) => x - y);
  return out;
}

/**
 * The HTTP client runs in its own process, as a real client would: its socket reads and buffer copies do not run on
 * the server's event loop. One command per stdin line, one JSON answer per stdout line.
 */
const CLIENT = `
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const get = (path) => new Promise((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT), path, agent,
    headers: { authorization: 'Bearer ' + process.env.BENCH_KEY } }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (res.statusCode !== 200) reject(new Error(path + ': HTTP ' + res.statusCode + ' ' + text.slice(0, 200)));
      else resolve(text);
    });
  });
  req.on('error', reject);
  req.end();
});
const cursorOf = (text) => /"next_cursor":"([A-Za-z0-9_-]+)"}$/.exec(text)?.[1];
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line);
  try {
    if (cmd.get) {
      const t = performance.now();
      const text = await get(cmd.get);
      console.log(JSON.stringify({ ms: performance.now() - t, bytes: text.length }));
    } else {
      let cursor;
      const page = async () => { cursor = cursorOf(await get('/api/v1/events?limit=1000' + (cursor ? '&cursor=' + cursor : ''))); };
      for (let i = 0; i < 3; i++) await page();
      const t = performance.now();
      let done = 0;
      for (; done < cmd.pages && cursor; done++) await page();
      console.log(JSON.stringify({ pagesPerSecond: done / ((performance.now() - t) / 1000) }));
    }
  } catch (error) {
    console.log(JSON.stringify({ error: String(error) }));
  }
}
`;

interface Client {
  ask(cmd: { get: string } | { pages: number }): Promise<{ ms?: number; pagesPerSecond?: number; error?: string }>;
  close(): void;
}

function startClient(port: number): Client {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT], {
    env: { ...process.env, BENCH_PORT: String(port), BENCH_KEY: KEY },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  child.on('exit', (code) => {
    for (const fail of waiting.splice(0)) fail(JSON.stringify({ error: `bench client exited with ${code}` }));
  });
  return {
    ask: (cmd) =>
      new Promise((resolve, reject) => {
        waiting.push((line) => {
          const answer = JSON.parse(line) as { error?: string };
          if (answer.error) reject(new Error(answer.error));
          else resolve(answer);
        });
        child.stdin!.write(`${JSON.stringify(cmd)}\n`);
      }),
    close: () => child.kill(),
  };
}

async function measure(
  kind: string,
  store: TimeSeriesStore,
  metadata: MetadataStore,
  h: Home,
  ctx: BenchContext,
  goal: boolean,
): Promise<BenchResult[]> {
  const { app } = buildApp({
    logger: silentLogger(),
    apiKey: KEY,
    timeSeries: async () => store,
    metadata: () => metadata,
    live: () => new InProcessLiveFeed(),
  });
  const port = await listen(app, 0, '127.0.0.1');
  const client = startClient(port);
  const samples = ctx.quick ? 100 : 500;
  // The same pseudo-random (entity, 24 h window) sequence for the raw call and the HTTP call.
  const pick = (i: number) => {
    const e = h.entities[(i * 7919) % h.entities.length]!;
    const start = h.start + DAY + ((i * 104_729) % (SPAN_DAYS - 2)) * DAY + ((i * 31) % 24) * HOUR;
    return { entityId: e.id, start, end: start + DAY };
  };
  let returned = 0;
  const iso = (us: number) => new Date(us / 1000).toISOString();
  // Raw call and HTTP call alternate on the same (entity, window), so both see the same machine load.
  const { a: raw, b: viaHttp } = await paired(
    samples,
    async (i) => {
      const events = await store.history({ ...pick(i), includeStartState: true });
      returned += events.length;
    },
    async (i) => {
      const q = pick(i);
      const { ms } = await client.ask({
        get: `/api/v1/entities/${q.entityId}/history?start=${iso(q.start)}&end=${iso(q.end)}`,
      });
      return ms as number;
    },
  );
  ctx.log(`${kind}: history returns ~${Math.round(returned / (samples + 20))} states per 24 h`);

  const pages = ctx.quick ? 30 : 150;
  const rawPages = await pagesPerSecond<EventCursor>(pages, async (cursor) => {
    const page = await store.queryEvents({ limit: 1000, order: 'desc', cursor });
    return page.nextCursor;
  });
  const httpPages = (await client.ask({ pages })).pagesPerSecond as number;
  client.close();
  await app.close();

  const size = `${(h.total / 1e6).toFixed(h.total < 1e6 ? 1 : 0)}M events`;
  const p95 = percentile(viaHttp, 95);
  const rawP95 = percentile(raw, 95);
  return [
    { suite: SUITE, name: `${kind} ${size}: history 24 h, raw store call p95 (baseline)`, value: rawP95, unit: 'ms' },
    {
      suite: SUITE,
      name: `${kind} ${size}: history 24 h through HTTP p95`,
      value: p95,
      unit: 'ms',
      ratio: p95 / rawP95,
      baseline: 'raw store call p95',
      ...(goal ? { goal: '<= 10 ms', met: p95 <= 10 } : {}),
    },
    {
      suite: SUITE,
      name: `${kind} ${size}: history 24 h through HTTP p50`,
      value: percentile(viaHttp, 50),
      unit: 'ms',
      ratio: percentile(viaHttp, 50) / percentile(raw, 50),
      baseline: 'raw store call p50',
    },
    {
      suite: SUITE,
      name: `${kind} ${size}: events pages of 1000, raw store (baseline)`,
      value: rawPages,
      unit: 'pages/s',
    },
    {
      suite: SUITE,
      name: `${kind} ${size}: events pages of 1000 through HTTP`,
      value: httpPages,
      unit: 'pages/s',
      ratio: httpPages / rawPages,
      baseline: 'raw store queryEvents',
    },
  ];
}

async function pagesPerSecond<C>(
  pages: number,
  next: (cursor: C | undefined) => Promise<C | undefined>,
): Promise<number> {
  let cursor: C | undefined;
  for (let i = 0; i < 3; i++) cursor = await next(cursor); // warm-up, continuing the same walk
  const t = performance.now();
  let done = 0;
  for (; done < pages; done++) {
    cursor = await next(cursor);
    if (cursor === undefined) break;
  }
  return done / ((performance.now() - t) / 1000);
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const metadata = new SqliteMetadataStore(join(ctx.tmp, 'metadata.db'));

  const big = home(ctx.quick ? 500_000 : 10_000_000);
  const sqlite = new SqliteTimeSeriesStore(join(ctx.tmp, 'homeiq.db'));
  await sqlite.open();
  const rate = await load(sqlite, big, 20_000, ctx, 'sqlite');
  results.push({
    suite: SUITE,
    name: `sqlite: bulk load (${big.total} events, for the bench)`,
    value: rate,
    unit: 'events/s',
  });
  results.push(...(await measure('sqlite', sqlite, metadata, big, ctx, true)));
  await sqlite.close();

  if (influxdAvailability().skip) {
    ctx.log('influxd not installed: InfluxDB figures skipped');
  } else {
    const server = await startInfluxd();
    try {
      const small = home(ctx.quick ? 100_000 : 1_000_000);
      const influx = new InfluxStore(
        loadConfig(storageSchema, { INFLUXDB_URL: server.url, INFLUXDB_DATABASE: 'bench_data_api' }),
        silentLogger(),
      );
      await influx.open();
      const influxRate = await load(influx, small, 10_000, ctx, 'influxdb');
      results.push({
        suite: SUITE,
        name: `influxdb: bulk load (${small.total} events)`,
        value: influxRate,
        unit: 'events/s',
      });
      results.push(...(await measure('influxdb', influx, metadata, small, ctx, false)));
      await influx.close();
    } finally {
      await server.stop();
    }
  }
  metadata.close();
  return results;
}
