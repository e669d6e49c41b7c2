import type { StatisticsPeriod, StatisticsRow } from '@homeiq/storage';
import type { Carry, EntityState } from './entity-state';

interface Accumulator {
  /** Σ value × seconds in force. */
  weighted: number;
  /** Seconds with a numeric state. */
  covered: number;
  min: number;
  max: number;
  count: number;
}

/**
 * One open statistics window. Every numeric state is weighted by how long it was in force inside the window —
 * the state carried in from before the window included, no interpolation between states (Home Assistant's
 * time-weighted mean). Time while the state was not a number (unavailable, removed) is left out of the weighting.
 * min/max cover every value in force for some time in the window; count is the number of numeric states recorded
 * inside it (the carried-in state is not counted).
 */
export class PeriodWindow {
  private accs = new Map<string, Accumulator>();

  constructor(
    readonly period: StatisticsPeriod,
    readonly length: number,
    public start: number,
  ) {}

  get end(): number {
    return this.start + this.length;
  }

  /** Call before the entity's state changes at `t`: closes the old value's segment inside this window. */
  segmentUntil(id: string, es: EntityState, t: number): void {
    if (es.value === null) return;
    const from = Math.max(es.since, this.start);
    if (t > from) this.add(id, es.value, (t - from) / 1e6);
  }

  /** Counts a numeric state recorded inside the window. */
  sample(id: string): void {
    this.acc(id).count++;
  }

  /** Rows for every entity with a numeric state in the window; then the window moves on. */
  close(carry: Carry): StatisticsRow[] {
    const rows: StatisticsRow[] = [];
    const end = this.end;
    for (const [id, es] of carry) {
      this.segmentUntil(id, es, end);
      const a = this.accs.get(id);
      if (!a || a.covered <= 0) continue;
      const row: StatisticsRow = {
        entityId: id,
        period: this.period,
        start: this.start,
        unit: es.unit,
        mean: a.weighted / a.covered,
        min: a.min,
        max: a.max,
        count: a.count,
      };
      if (es.sumClass && es.sum) {
        row.sum = es.sum.sum;
        row.state = es.sum.last;
      }
      rows.push(row);
    }
    this.accs.clear();
    this.start = end;
    return rows;
  }

  private acc(id: string): Accumulator {
    let a = this.accs.get(id);
    if (!a) {
      a = { weighted: 0, covered: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, count: 0 };
      this.accs.set(id, a);
    }
    return a;
  }

  private add(id: string, value: number, seconds: number): void {
    const a = this.acc(id);
    a.weighted += value * seconds;
    a.covered += seconds;
    if (value < a.min) a.min = value;
    if (value > a.max) a.max = value;
  }
}
