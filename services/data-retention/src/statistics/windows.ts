import type { StatisticsPeriod } from '@homeiq/storage';

export const FIVE_MINUTES_US = 300_000_000;
export const HOUR_US = 3_600_000_000;

export const PERIOD_US: Record<StatisticsPeriod, number> = { '5minute': FIVE_MINUTES_US, hour: HOUR_US };

/** Start of the window of length `len` holding `t` (epoch-aligned, so hours are UTC hours). */
export function floorTo(t: number, len: number): number {
  return Math.floor(t / len) * len;
}
