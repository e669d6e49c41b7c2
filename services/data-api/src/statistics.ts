import { numericValue, type StateEvent, type StatisticsRow, type TimeSeriesStore } from '@homeiq/storage';
import { DAY_US, HOUR_US } from './params';

/**
 * Statistics per window, like Home Assistant's long-term statistics. The rules (also in the README):
 * - 5minute rows come from `statistics_short_term`, hour rows from `statistics` (both written by data-retention);
 *   a window with no stored row is computed from the raw events in it (e.g. the current, not yet downsampled hour).
 * - day, week (Monday 00:00 UTC) and month rows aggregate the hourly rows (stored or computed) of the window.
 * - computed: mean is the arithmetic mean of the numeric states in the window, min/max their extremes, count their
 *   number; for state_class total/total_increasing, `state` is the last value and `sum` continues from the preceding
 *   stored window's sum (or from 0 at the first window of the answer), a drop of a total_increasing meter being a reset.
 * - aggregated: mean is count-weighted, min/max the extremes, count the total, sum/state those of the last window.
 * - windows are UTC; a window is returned when it starts before `end` and has at least one sample.
 */
export type OutPeriod = '5minute' | 'hour' | 'day' | 'week' | 'month';
export const PERIODS: readonly OutPeriod[] = ['5minute', 'hour', 'day', 'week', 'month'];
export const STAT_TYPES = ['mean', 'min', 'max', 'sum', 'state'] as const;
export type StatType = (typeof STAT_TYPES)[number];
export type Source = 'statistics' | 'computed' | 'mixed';

export interface WindowStats {
  start: number;
  end: number;
  mean: number;
  min: number;
  max: number;
  count: number;
  sum: number | null;
  state: number | null;
  unit: string | null;
  source: Source;
}

const FIXED: Record<string, number> = { '5minute': 300_000_000, hour: HOUR_US, day: DAY_US, week: 7 * DAY_US };

/** Start of the UTC window of `period` containing `t` (µs). */
export function floorPeriod(t: number, period: OutPeriod): number {
  if (period === 'month') {
    const d = new Date(Math.floor(t / 1000));
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) * 1000;
  }
  if (period === 'week') {
    const day = Math.floor(t / DAY_US);
    const sinceMonday = (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    return (day - sinceMonday) * DAY_US;
  }
  const size = FIXED[period] as number;
  return t - (((t % size) + size) % size);
}

export function nextPeriod(start: number, period: OutPeriod): number {
  if (period !== 'month') return start + (FIXED[period] as number);
  const d = new Date(Math.floor(start / 1000));
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) * 1000;
}

/** Window starts of `period` from the one containing `start` while before `end`. */
export function windowStarts(start: number, end: number, period: OutPeriod): number[] {
  const out: number[] = [];
  for (let w = floorPeriod(start, period); w < end; w = nextPeriod(w, period)) out.push(w);
  return out;
}

export function basePeriod(period: OutPeriod): '5minute' | 'hour' {
  return period === '5minute' ? '5minute' : 'hour';
}

/** How many base windows a request spans per entity (bounded by the route). */
export function baseWindowCount(start: number, end: number, period: OutPeriod): number {
  const base = basePeriod(period);
  const first = floorPeriod(start, period);
  const last = nextPeriod(floorPeriod(Math.max(first, end - 1), period), period);
  return Math.ceil((last - first) / (FIXED[base] as number));
}

/** Rows of one entity: stored where data-retention wrote them, else computed from raw events. */
export async function entityStatistics(
  store: TimeSeriesStore,
  entityId: string,
  period: OutPeriod,
  start: number,
  end: number,
): Promise<WindowStats[]> {
  const base = basePeriod(period);
  const outStarts = windowStarts(start, end, period);
  if (outStarts.length === 0) return [];
  const rangeStart = outStarts[0] as number;
  const rangeEnd = nextPeriod(outStarts[outStarts.length - 1] as number, period);
  const stored = new Map<number, StatisticsRow>();
  for (const row of await store.queryStatistics({
    entityIds: [entityId],
    period: base,
    start: rangeStart,
    end: rangeEnd,
  })) {
    if (row.entityId === entityId) stored.set(row.start, row);
  }
  const baseStarts = windowStarts(rangeStart, rangeEnd, base);
  const missing = baseStarts.filter((w) => !stored.has(w));
  const samples = new Map<number, StateEvent[]>();
  if (missing.length > 0) {
    const scanStart = missing[0] as number;
    const scanEnd = nextPeriod(missing[missing.length - 1] as number, base);
    for await (const e of store.scan({ entityIds: [entityId], start: scanStart, end: scanEnd })) {
      if (e.removed || e.entityId !== entityId || numericValue(e.state) === undefined) continue;
      const w = floorPeriod(e.time, base);
      if (stored.has(w)) continue;
      const list = samples.get(w);
      if (list) list.push(e);
      else samples.set(w, [e]);
    }
  }
  const baseRows = mergeBase(baseStarts, base, stored, samples);
  return period === base ? baseRows : aggregate(baseRows, period);
}

function mergeBase(
  starts: number[],
  base: '5minute' | 'hour',
  stored: Map<number, StatisticsRow>,
  samples: Map<number, StateEvent[]>,
): WindowStats[] {
  const out: WindowStats[] = [];
  let sum = 0;
  let last: number | null = null;
  for (const w of starts) {
    const end = nextPeriod(w, base);
    const row = stored.get(w);
    if (row) {
      if (row.sum != null) sum = row.sum;
      if (row.state != null) last = row.state;
      out.push({
        start: w,
        end,
        mean: row.mean,
        min: row.min,
        max: row.max,
        count: row.count,
        sum: row.sum ?? null,
        state: row.state ?? null,
        unit: row.unit,
        source: 'statistics',
      });
      continue;
    }
    const events = samples.get(w);
    if (!events || events.length === 0) continue;
    let total = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const e of events) {
      const v = numericValue(e.state) as number;
      total += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const lastEvent = events[events.length - 1] as StateEvent;
    const stateClass = lastEvent.attributes.state_class;
    const metered = stateClass === 'total' || stateClass === 'total_increasing';
    if (metered) {
      for (const e of events) {
        const v = numericValue(e.state) as number;
        if (last !== null) sum += stateClass === 'total_increasing' && v < last ? v : v - last;
        last = v;
      }
    }
    const unit = lastEvent.attributes.unit_of_measurement;
    out.push({
      start: w,
      end,
      mean: total / events.length,
      min,
      max,
      count: events.length,
      sum: metered ? sum : null,
      state: metered ? last : null,
      unit: typeof unit === 'string' ? unit : null,
      source: 'computed',
    });
  }
  return out;
}

/** Combines hourly rows into day/week/month rows. */
export function aggregate(rows: WindowStats[], period: OutPeriod): WindowStats[] {
  const out: WindowStats[] = [];
  let current: WindowStats | undefined;
  let weighted = 0;
  for (const row of rows) {
    const w = floorPeriod(row.start, period);
    if (!current || current.start !== w) {
      if (current) out.push(finish(current, weighted));
      current = { ...row, start: w, end: nextPeriod(w, period) };
      weighted = row.mean * row.count;
      continue;
    }
    weighted += row.mean * row.count;
    current.count += row.count;
    current.min = Math.min(current.min, row.min);
    current.max = Math.max(current.max, row.max);
    if (row.sum !== null) current.sum = row.sum;
    if (row.state !== null) current.state = row.state;
    if (row.unit !== null) current.unit = row.unit;
    if (row.source !== current.source) current.source = 'mixed';
  }
  if (current) out.push(finish(current, weighted));
  return out;
}

function finish(row: WindowStats, weighted: number): WindowStats {
  return { ...row, mean: row.count > 0 ? weighted / row.count : row.mean };
}
