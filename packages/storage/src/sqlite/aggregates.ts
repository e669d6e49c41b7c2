// Summary counts and the statistics tables (5-minute and hourly windows) of the embedded store.
import type Database from 'better-sqlite3';
import { StoreError } from '../errors';
import type { StatisticsPeriod, StatisticsQuery, StatisticsRow, Summary } from '../types';

const HOUR = 3_600_000_000;
/** Stored period codes: the window length in seconds. */
export const PERIOD_CODE: Record<StatisticsPeriod, number> = { '5minute': 300, hour: 3600 };

interface StatRow {
  entity_id: string;
  start: number;
  unit: string | null;
  mean: number;
  min: number;
  max: number;
  count: number;
  sum: number | null;
  state: number | null;
}

const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const finiteOrNull = (v: unknown) => v === undefined || v === null || finite(v);

function checkRow(r: StatisticsRow, i: number): void {
  const bad = (field: string, what: string) => {
    throw new StoreError(`statistics[${i}].${field}: ${what}`, { retryable: false });
  };
  if (typeof r.entityId !== 'string' || r.entityId.length === 0) bad('entityId', 'must be a non-empty string');
  if (!(r.period in PERIOD_CODE)) bad('period', "must be '5minute' or 'hour'");
  if (!Number.isSafeInteger(r.start)) bad('start', 'must be an integer of µs');
  if (r.unit !== null && typeof r.unit !== 'string') bad('unit', 'must be a string or null');
  for (const k of ['mean', 'min', 'max'] as const) if (!finite(r[k])) bad(k, 'must be a finite number');
  if (!Number.isSafeInteger(r.count) || r.count < 0) bad('count', 'must be a non-negative integer');
  if (!finiteOrNull(r.sum)) bad('sum', 'must be a finite number or null');
  if (!finiteOrNull(r.state)) bad('state', 'must be a finite number or null');
}

export class Aggregates {
  constructor(
    private readonly db: Database.Database,
    private readonly epoch: number,
  ) {}

  /** Counts from each entity's key range over the window (`events` has no time index) and from `recent`. */
  summary(start: number, end: number, busiestLimit: number): Summary {
    const inWindow = `SELECT ev.e AS e, ev.t AS t FROM entities en CROSS JOIN events ev
      ON ev.e = en.id AND ev.t >= :lo AND ev.t < :hi
      UNION ALL SELECT e, t FROM recent WHERE t >= :lo AND t < :hi`;
    const args = { lo: start - this.epoch, hi: end - this.epoch };
    return this.db.transaction(() => {
      const perEntity = this.db
        .prepare(
          `SELECT en.entity_id AS entityId, en.domain AS domain, c.n AS count
           FROM (SELECT e, count(*) AS n FROM (${inWindow}) GROUP BY e) c JOIN entities en ON en.id = c.e`,
        )
        .all(args) as Array<{ entityId: string; domain: string; count: number }>;
      // Hour buckets on absolute time, floored (integer division in SQL truncates toward zero).
      const perHour = this.db
        .prepare(
          `SELECT h AS hour, count(*) AS count FROM (
             SELECT (t + :epoch) - (((t + :epoch) % ${HOUR}) + ${HOUR}) % ${HOUR} AS h FROM (${inWindow}))
           GROUP BY h ORDER BY h`,
        )
        .all({ ...args, epoch: this.epoch }) as Array<{ hour: number; count: number }>;
      const byDomain: Record<string, number> = {};
      let totalEvents = 0;
      for (const r of perEntity) {
        byDomain[r.domain] = (byDomain[r.domain] ?? 0) + r.count;
        totalEvents += r.count;
      }
      const busiest = perEntity
        .sort((a, b) => b.count - a.count || (a.entityId < b.entityId ? -1 : 1))
        .slice(0, Math.max(0, busiestLimit))
        .map(({ entityId, count }) => ({ entityId, count }));
      return { totalEvents, byDomain, perHour, busiest };
    })();
  }

  /** Replaces rows of the same entity, period and start: rewriting a window is idempotent. */
  writeStatistics(rows: StatisticsRow[]): void {
    rows.forEach(checkRow);
    const ensure = this.db.prepare('INSERT OR IGNORE INTO entities (entity_id, domain) VALUES (?, ?)');
    const key = this.db.prepare('SELECT id FROM entities WHERE entity_id = ?').pluck();
    const put = this.db.prepare('INSERT OR REPLACE INTO statistics VALUES (?,?,?,?,?,?,?,?,?,?)');
    this.db
      .transaction(() => {
        const keys = new Map<string, number>();
        for (const r of rows) {
          let k = keys.get(r.entityId);
          if (k === undefined) {
            const dot = r.entityId.indexOf('.');
            ensure.run(r.entityId, dot > 0 ? r.entityId.slice(0, dot) : r.entityId);
            k = key.get(r.entityId) as number;
            keys.set(r.entityId, k);
          }
          put.run(
            PERIOD_CODE[r.period],
            k,
            r.start,
            r.unit,
            r.mean,
            r.min,
            r.max,
            r.count,
            r.sum ?? null,
            r.state ?? null,
          );
        }
      })
      .immediate();
  }

  queryStatistics(q: StatisticsQuery): StatisticsRow[] {
    const rows = this.db
      .prepare(
        `SELECT en.entity_id, s.start, s.unit, s.mean, s.min, s.max, s.count, s.sum, s.state
         FROM entities en JOIN statistics s ON s.period = ? AND s.e = en.id AND s.start >= ? AND s.start < ?
         WHERE en.entity_id IN (SELECT value FROM json_each(?))
         ORDER BY en.entity_id, s.start`,
      )
      .all(PERIOD_CODE[q.period], q.start, q.end, JSON.stringify(q.entityIds)) as StatRow[];
    return rows.map((r) => ({
      entityId: r.entity_id,
      period: q.period,
      start: r.start,
      unit: r.unit,
      mean: r.mean,
      min: r.min,
      max: r.max,
      count: r.count,
      sum: r.sum,
      state: r.state,
    }));
  }
}
