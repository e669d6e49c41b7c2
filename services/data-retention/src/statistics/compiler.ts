import type { StatisticsRow, TimeSeriesStore } from '@homeiq/storage';
import { applyEvent, type Carry, serializeCarry } from './entity-state';
import { PeriodWindow } from './period-window';
import { FIVE_MINUTES_US, HOUR_US } from './windows';

export interface CompileRange {
  /** Hour-aligned start, µs; `carry` holds every entity's state at this instant. */
  from: number;
  /** 5-minute-aligned end, µs (exclusive). Hour windows are written only when complete. */
  to: number;
  /** Hour boundary in [from, to] at which to capture the carry for the next run's checkpoint. */
  snapshotAt?: number;
}

export interface CompileResult {
  events: number;
  shortTermRows: number;
  hourlyRows: number;
  windows: number;
  hours: number;
  /** Entities that got rows. */
  entityIds: Set<string>;
  snapshot?: ReturnType<typeof serializeCarry>;
}

const WRITE_BATCH = 2000;

/**
 * Streams the events of [from, to) once, in time order, closing 5-minute and hourly windows as time passes them.
 * Memory stays at one state per entity plus the rows of one write batch, whatever the range.
 */
export async function compileStatistics(
  store: TimeSeriesStore,
  range: CompileRange,
  carry: Carry,
  onProgress: (fraction: number) => void = () => {},
): Promise<CompileResult> {
  const { from, to } = range;
  if (from % HOUR_US !== 0 || to % FIVE_MINUTES_US !== 0 || to <= from) {
    throw new Error(`statistics range must be hour-aligned to 5-minute-aligned, got ${from}..${to}`);
  }
  const five = new PeriodWindow('5minute', FIVE_MINUTES_US, from);
  const hour = new PeriodWindow('hour', HOUR_US, from);
  const result: CompileResult = {
    events: 0,
    shortTermRows: 0,
    hourlyRows: 0,
    windows: 0,
    hours: 0,
    entityIds: new Set(),
  };
  let pending: StatisticsRow[] = [];

  const flush = async () => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    await store.writeStatistics(rows);
  };
  const maybeSnapshot = () => {
    if (range.snapshotAt === five.start) result.snapshot = serializeCarry(carry);
  };
  const closeUntil = async (t: number) => {
    while (five.end <= t && five.end <= to) {
      const rows = five.close(carry);
      result.shortTermRows += rows.length;
      result.windows++;
      for (const r of rows) {
        pending.push(r);
        result.entityIds.add(r.entityId);
      }
      if (hour.end <= five.start) {
        const hourly = hour.close(carry);
        result.hourlyRows += hourly.length;
        result.hours++;
        for (const r of hourly) pending.push(r);
        prune(carry);
      }
      maybeSnapshot();
      if (pending.length >= WRITE_BATCH) await flush();
      onProgress((five.start - from) / (to - from));
    }
  };

  maybeSnapshot();
  for await (const e of store.scan({ start: from, end: to })) {
    if (e.time < from || e.time >= to) continue;
    await closeUntil(e.time);
    const es = carry.get(e.entityId);
    if (es) {
      five.segmentUntil(e.entityId, es, e.time);
      hour.segmentUntil(e.entityId, es, e.time);
    }
    if (applyEvent(carry, e) !== undefined) {
      five.sample(e.entityId);
      hour.sample(e.entityId);
    }
    result.events++;
  }
  await closeUntil(to);
  await flush();
  return result;
}

/** Forgets entities with no numeric state and no meter sum to carry (lights, removed entities...). */
function prune(carry: Carry): void {
  for (const [id, es] of carry) if (es.value === null && !es.sum) carry.delete(id);
}
