// Embedded store: bytes per event on disk and write throughput on a realistic home mix, each against a naive
// one-text-row-per-event SQLite table written in the same run; history latency of one entity over 24 h in a
// large store (10M events; BENCH_QUICK=1 uses 200k).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SQLITE_PRAGMAS } from '@homeiq/storage/config';
import { domainOf, isoFromMicros } from '@homeiq/storage/event-json';
import { SqliteTimeSeriesStore } from '@homeiq/storage/sqlite/sqlite-store';
import type { StateEvent } from '@homeiq/storage/types';
import Database from 'better-sqlite3';
import type { BenchContext, BenchResult } from './types';

const SUITE = 'storage';
const HOUR = 3_600_000_000;

/** mulberry32: a small deterministic PRNG, so every writer sees the same events. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

interface Entity {
  id: string;
  kind: string;
  weight: number;
  areaId: string;
  deviceId: string;
  base: Record<string, unknown>;
  state: string;
  lastChanged: number;
  n: number;
  /** climate: current temperature. */
  cur: number;
  /** The attributes of the event being made. */
  attrs: Record<string, unknown>;
}

const walk = (r: () => number, v: number, step: number, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, v + (r() < 0.5 ? -step : step)));
const oneOf = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
const toggle = (e: Entity) => {
  e.state = e.state === 'on' ? 'off' : 'on';
};

/** How each kind of entity changes: its next state, and its attributes when they change. */
const STEPS: Record<string, (e: Entity, r: () => number) => void> = {
  temperature: (e, r) => {
    e.state = walk(r, Number(e.state) || 21, 0.1, 15, 28).toFixed(1);
  },
  humidity: (e, r) => {
    e.state = String(walk(r, Number(e.state) || 45, 1, 25, 80));
  },
  power: (e, r) => {
    e.state = (r() * 3000).toFixed(1);
  },
  energy: (e, r) => {
    e.state = ((Number(e.state) || 1000) + r() * 0.05).toFixed(3);
  },
  illuminance: (e, r) => {
    e.state = String(Math.floor(r() * 1000));
  },
  battery: (e) => {
    e.state = String(Math.max(1, 100 - e.n));
  },
  binary: toggle,
  switch: toggle,
  light: (e, r) => {
    toggle(e);
    const on = {
      color_mode: 'color_temp',
      brightness: oneOf(r, [26, 77, 128, 179, 230, 255]),
      color_temp_kelvin: 2700 + 100 * Math.floor(r() * 10),
    };
    e.attrs = {
      ...e.base,
      ...(e.state === 'on' ? on : { color_mode: null, brightness: null, color_temp_kelvin: null }),
    };
  },
  climate: (e, r) => {
    e.state = r() < 0.02 ? 'off' : 'heat';
    e.cur = walk(r, e.cur, 0.1, 17, 24);
    const action = r() < 0.5 ? 'heating' : 'idle';
    e.attrs = {
      ...e.base,
      current_temperature: Number(e.cur.toFixed(1)),
      temperature: 19 + Math.floor(r() * 3),
      hvac_action: action,
    };
  },
  media: (e, r) => {
    e.state = oneOf(r, ['playing', 'paused', 'idle']);
    const track = {
      volume_level: Math.floor(r() * 20) / 20,
      media_title: `Track ${Math.floor(r() * 50)}`,
      media_position: Math.floor(r() * 300),
    };
    e.attrs = { ...e.base, ...track };
  },
  tracker: (e, r) => {
    e.state = r() < 0.5 ? 'home' : 'not_home';
    const away = {
      gps_accuracy: Math.floor(r() * 50),
      latitude: Number((52 + r()).toFixed(5)),
      longitude: Number((13 + r()).toFixed(5)),
    };
    e.attrs = { ...e.base, ...(e.state === 'home' ? { gps_accuracy: 10 } : away) };
  },
  status: (e, r) => {
    e.state = oneOf(r, ['ok', 'idle', 'updating', 'unavailable', 'error', 'standby']);
  },
};

const KINDS: Array<[id: string, count: number, weight: number, base: Record<string, unknown>]> = [
  ['sensor.temperature', 40, 1, { state_class: 'measurement', unit_of_measurement: '°C', device_class: 'temperature' }],
  ['sensor.humidity', 30, 0.7, { state_class: 'measurement', unit_of_measurement: '%', device_class: 'humidity' }],
  ['sensor.power', 25, 3, { state_class: 'measurement', unit_of_measurement: 'W', device_class: 'power' }],
  ['sensor.energy', 15, 0.5, { state_class: 'total_increasing', unit_of_measurement: 'kWh', device_class: 'energy' }],
  ['sensor.illuminance', 10, 1, { state_class: 'measurement', unit_of_measurement: 'lx', device_class: 'illuminance' }],
  ['sensor.battery', 10, 0.02, { state_class: 'measurement', unit_of_measurement: '%', device_class: 'battery' }],
  ['binary_sensor.binary', 60, 0.3, { device_class: 'motion' }],
  ['light.light', 25, 0.3, { supported_color_modes: ['color_temp'], supported_features: 40 }],
  ['switch.switch', 20, 0.2, {}],
  ['climate.climate', 8, 0.5, { hvac_modes: ['off', 'heat'], min_temp: 7, max_temp: 35, supported_features: 385 }],
  ['media_player.media', 8, 0.1, { supported_features: 152461, device_class: 'speaker' }],
  ['device_tracker.tracker', 10, 0.05, { source_type: 'gps' }],
  ['sensor.status', 20, 0.1, { icon: 'mdi:information' }],
];

/** A home of ~280 entities emitting a realistic mix: mostly numeric sensors, on/off devices, some attribute churn. */
export class HomeMix {
  private readonly rnd: () => number;
  private readonly entities: Entity[] = [];
  private readonly cumulative: number[] = [];
  private time: number;

  constructor(
    seed: number,
    start: number,
    private readonly meanGapUs: number,
  ) {
    this.rnd = prng(seed);
    this.time = start;
    let sum = 0;
    let k = 0;
    for (const [prefix, count, weight, base] of KINDS) {
      const kind = prefix.slice(prefix.indexOf('.') + 1);
      for (let i = 0; i < count; i++, k++) {
        const id = `${prefix}_${i}`;
        const hex = Array.from({ length: 32 }, () => '0123456789abcdef'[Math.floor(this.rnd() * 16)]).join('');
        this.entities.push({
          id,
          kind,
          weight,
          areaId: `area_${k % 9}`,
          deviceId: hex,
          base: { ...base, friendly_name: `${kind} ${i}` },
          state: '0',
          lastChanged: start,
          n: 0,
          cur: 20,
          attrs: {},
        });
        sum += weight;
        this.cumulative.push(sum);
      }
    }
  }

  private ulid(ms: number): string {
    let out = '';
    for (let i = 0, m = ms; i < 10; i++, m = Math.floor(m / 32)) out = CROCKFORD[m % 32] + out;
    for (let i = 0; i < 16; i++) out += CROCKFORD[Math.floor(this.rnd() * 32)];
    return out;
  }

  private pick(): Entity {
    const x = this.rnd() * this.cumulative[this.cumulative.length - 1]!;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return this.entities[lo]!;
  }

  next(): StateEvent {
    this.time += 1 + Math.floor(-Math.log(1 - this.rnd()) * this.meanGapUs);
    const e = this.pick();
    const before = e.state;
    e.attrs = e.base;
    STEPS[e.kind]!(e, this.rnd);
    const state = e.state;
    const attributes = e.attrs;
    const r = this.rnd;
    const time = this.time;
    if (state !== before) e.lastChanged = time;
    e.n++;
    const ms = Math.floor(time / 1000);
    const automated = (e.kind === 'light' || e.kind === 'switch') && r() < 0.3;
    const byUser = (e.kind === 'light' || e.kind === 'climate') && r() < 0.1;
    return {
      entityId: e.id,
      time,
      lastChanged: e.lastChanged,
      state,
      removed: false,
      attributes,
      contextId: this.ulid(automated ? ms - Math.floor(r() * 50) : ms),
      contextParentId: automated ? this.ulid(ms - 100 - Math.floor(r() * 2000)) : null,
      contextUserId: byUser
        ? ['9f2d7a4c1b3e5f60718293a4b5c6d7e8', '0a1b2c3d4e5f60718293a4b5c6d7e8f9'][Math.floor(r() * 2)]!
        : null,
      origin: byUser ? 'REMOTE' : 'LOCAL',
      areaId: e.areaId,
      deviceId: e.deviceId,
    };
  }

  batch(n: number): StateEvent[] {
    const out = new Array<StateEvent>(n);
    for (let i = 0; i < n; i++) out[i] = this.next();
    return out;
  }

  get busiestEntity(): string {
    return this.entities.find((e) => e.kind === 'power')!.id;
  }
}

/** The naive baseline: one wide text row per event, ISO times, attributes JSON every time, an identity index. */
class NaiveWriter {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly last = new Map<string, { state: string; changed: number }>();

  constructor(path: string) {
    this.db = new Database(path);
    for (const p of SQLITE_PRAGMAS) this.db.pragma(p);
    this.db.exec(`CREATE TABLE states (
      id INTEGER PRIMARY KEY, entity_id TEXT NOT NULL, domain TEXT, device_class TEXT, unit_of_measurement TEXT,
      area_id TEXT, device_id TEXT, state TEXT, old_state TEXT, attributes TEXT, last_changed TEXT, last_updated TEXT,
      duration_in_state_seconds REAL, context_id TEXT, context_parent_id TEXT, context_user_id TEXT, origin TEXT);
      CREATE UNIQUE INDEX states_identity ON states (entity_id, last_updated);`);
    this.insert = this.db.prepare('INSERT OR IGNORE INTO states VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)');
  }

  write(events: StateEvent[]): void {
    this.db.transaction(() => {
      for (const e of events) {
        const prev = this.last.get(e.entityId);
        this.last.set(e.entityId, { state: e.state, changed: e.lastChanged });
        const tags = [domainOf(e.entityId), text(e.attributes.device_class), text(e.attributes.unit_of_measurement)];
        const times = [
          isoFromMicros(e.lastChanged),
          isoFromMicros(e.time),
          prev ? (e.time - prev.changed) / 1e6 : null,
        ];
        const context = [e.contextId, e.contextParentId, e.contextUserId, e.origin];
        const values = [e.state, prev?.state ?? null, JSON.stringify(e.attributes)];
        this.insert.run(e.entityId, ...tags, e.areaId, e.deviceId, ...values, ...times, ...context);
      }
    })();
  }

  close = () => this.db.close();
}

const fileBytes = (path: string) => statSync(path).size;
const text = (v: unknown) => (typeof v === 'string' ? v : null);

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Writes `n` mix events in batches, timing only the write calls. */
async function writeMix(n: number, batch: number, seed: number, write: (b: StateEvent[]) => unknown): Promise<number> {
  const mix = new HomeMix(seed, Date.now() * 1000 - 3 * 24 * HOUR, 200_000);
  let busy = 0;
  for (let done = 0; done < n; done += batch) {
    const events = mix.batch(Math.min(batch, n - done));
    const t0 = process.hrtime.bigint();
    await write(events);
    busy += Number(process.hrtime.bigint() - t0);
  }
  return n / (busy / 1e9);
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const n = ctx.quick ? 100_000 : 1_000_000;

  // Naive baseline first, then the store, on the same deterministic mix.
  const naivePath = join(ctx.tmp, 'naive.db');
  const naive = new NaiveWriter(naivePath);
  const naiveRate = await writeMix(n, 500, 42, (b) => naive.write(b));
  naive.close();
  const naiveBytes = fileBytes(naivePath) / n;
  ctx.log(`naive: ${naiveRate.toFixed(0)} events/s, ${naiveBytes.toFixed(1)} bytes/event`);

  const storePath = join(ctx.tmp, 'store.db');
  const store = new SqliteTimeSeriesStore(storePath);
  await store.open();
  const storeRate = await writeMix(n, 500, 42, (b) => store.writeEvents(b));
  const info = await store.info();
  await store.close();
  const storeBytes = fileBytes(storePath) / n;
  ctx.log(`store: ${storeRate.toFixed(0)} events/s, ${storeBytes.toFixed(1)} bytes/event (${info.events} events)`);

  results.push(
    {
      suite: SUITE,
      name: `bytes/event on disk, ${n / 1000}k-event home mix (attributes included)`,
      value: storeBytes,
      unit: 'B/event',
      ratio: storeBytes / naiveBytes,
      baseline: `naive one-text-row-per-event table (${naiveBytes.toFixed(0)} B/event)`,
      goal: '<= 60 B/event',
      met: storeBytes <= 60,
    },
    {
      suite: SUITE,
      name: 'store write throughput, batches of 500',
      value: storeRate,
      unit: 'events/s',
      ratio: storeRate / naiveRate,
      baseline: `naive writer, batches of 500 (${naiveRate.toFixed(0)} events/s)`,
      goal: '>= 200000 events/s',
      met: storeRate >= 200_000,
    },
  );
  results.push(...(await historyBench(ctx)));
  return results;
}

/** History of one entity over 24 h, and newest-first pages, in a large store built with big batches. */
async function historyBench(ctx: BenchContext): Promise<BenchResult[]> {
  const total = ctx.quick ? 200_000 : 10_000_000;
  const span = 365 * 24 * HOUR;
  const start = Date.now() * 1000 - span;
  const mix = new HomeMix(7, start, span / total);
  const path = join(ctx.tmp, 'big.db');
  const store = new SqliteTimeSeriesStore(path);
  await store.open();
  const t0 = performance.now();
  for (let done = 0; done < total; done += 10_000) await store.writeEvents(mix.batch(Math.min(10_000, total - done)));
  const buildS = (performance.now() - t0) / 1000;
  ctx.log(`big store: ${total} events in ${buildS.toFixed(0)} s, ${(fileBytes(path) / total).toFixed(1)} B/event`);

  const rnd = prng(3);
  const entity = mix.busiestEntity;
  const times: number[] = [];
  let rows = 0;
  const newest = (await store.lastEventTime()) ?? start + span;
  for (let i = 0; i < 300; i++) {
    // Every tenth query is the last 24 h (partly still in the store's `recent` table), the rest anywhere.
    const from = i % 10 === 0 ? newest + 1 - 24 * HOUR : start + Math.floor(rnd() * (span - 24 * HOUR));
    const q0 = performance.now();
    const h = await store.history({ entityId: entity, start: from, end: from + 24 * HOUR, includeStartState: true });
    times.push(performance.now() - q0);
    rows += h.length;
  }
  const p95 = percentile(times.slice(20), 95);
  ctx.log(`history: ${entity}, ${(rows / 300).toFixed(0)} events per 24 h, p95 ${p95.toFixed(2)} ms`);

  const pages: number[] = [];
  let cursor: { time: number; entityId: string } | undefined;
  for (let i = 0; i < 50; i++) {
    const q0 = performance.now();
    const page = await store.queryEvents({ limit: 1000, order: 'desc', ...(cursor ? { cursor } : {}) });
    pages.push(performance.now() - q0);
    cursor = page.nextCursor;
  }
  await store.close();
  return [
    {
      suite: SUITE,
      name: `history of one entity over 24 h (${Math.round(rows / 300)} events), ${total / 1e6}M-event store, p95`,
      value: p95,
      unit: 'ms',
      goal: '<= 5 ms',
      met: p95 <= 5,
    },
    {
      suite: SUITE,
      name: `newest-first page of 1000 events, ${total / 1e6}M-event store, p95`,
      value: percentile(pages.slice(5), 95),
      unit: 'ms',
    },
  ];
}
