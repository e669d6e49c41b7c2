import { microsFromIso } from '@homeiq/storage';

/**
 * Running sum of a total / total_increasing meter, the way Home Assistant's long-term statistics keep it:
 * `sum` is the growth since the first value ever compiled, across meter cycles.
 *  - The first value is the zero point (no growth).
 *  - total_increasing: a drop below 90% of the previous value is a new cycle that started at 0, so the new value
 *    itself is growth; smaller dips (rounding, a jittery meter) just count as a small decrease. Negative values are
 *    ignored.
 *  - total: a changed `last_reset` attribute starts a new cycle at 0; otherwise every change (up or down) counts.
 */
export interface SumState {
  sum: number;
  /** The last value (the `state` column). */
  last: number;
  /** last_reset in force (µs); null = none; undefined = not known (restored from a statistics row). */
  lastReset: number | null | undefined;
}

export type SumClass = 'total' | 'total_increasing';

export function sumClassOf(attributes: Record<string, unknown>): SumClass | null {
  const c = attributes.state_class;
  return c === 'total' || c === 'total_increasing' ? c : null;
}

export function parseLastReset(raw: unknown): number | null {
  if (typeof raw !== 'string') return null;
  return microsFromIso(raw) ?? null;
}

/** Starts a sum at its zero point. */
export function startSum(value: number, lastReset: number | null | undefined): SumState {
  return { sum: 0, last: value, lastReset };
}

/** Folds one value into the sum (mutates `s`). */
export function addToSum(s: SumState, cls: SumClass, value: number, lastReset: number | null): void {
  if (cls === 'total_increasing') {
    if (value < 0) return;
    s.sum += value < 0.9 * s.last ? value : value - s.last;
    s.last = value;
    return;
  }
  if (s.lastReset === undefined) {
    s.lastReset = lastReset;
  } else if (lastReset !== null && lastReset !== s.lastReset) {
    s.sum += value;
    s.last = value;
    s.lastReset = lastReset;
    return;
  }
  s.sum += value - s.last;
  s.last = value;
}
