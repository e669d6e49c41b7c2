// The read side of the InfluxDB store: InfluxQL over /query, the same answers as the embedded store.
import { StoreError } from '../errors';
import type {
  EventFilter,
  EventPage,
  EventQuery,
  GenericPoint,
  HistoryQuery,
  PointQuery,
  StateEvent,
  StatisticsQuery,
  StatisticsRow,
  Summary,
} from '../types';
import type { InfluxHttp } from './http';
import { fieldEquals, ident, tagEquals, tagIn, timeLiteral, timeRange } from './influxql';
import { decodeTagText, EVENTS_MEASUREMENT, STATISTICS_MEASUREMENTS } from './line-protocol';
import { type KeysetSpec, keysetPage, keysetWalk } from './paging';
import { countsByTag, EventDecoder, statisticsRow, tableOf } from './rows';

const EVENTS = ident(EVENTS_MEASUREMENT);
const SCAN_PAGE = 500;
const HOUR_US = 3_600_000_000;

/** The InfluxQL conditions of a filter; null when it can match nothing (an empty entity list). */
export function eventConditions(f: EventFilter): string[] | null {
  const where: string[] = [];
  if (f.entityIds) {
    if (f.entityIds.length === 0) return null;
    where.push(tagIn('entity_id', f.entityIds));
  }
  if (f.domain !== undefined) where.push(tagEquals('domain', f.domain));
  if (f.areaId !== undefined) where.push(tagEquals('area_id', f.areaId));
  if (f.deviceId !== undefined) where.push(tagEquals('device_id', f.deviceId));
  if (f.state !== undefined) where.push(fieldEquals('state', f.state));
  where.push(...timeRange(f.start, f.end));
  return where;
}

function eventSpec(where: string[], order: 'asc' | 'desc', limit: number): Omit<KeysetSpec<StateEvent>, 'cursor'> {
  return {
    from: EVENTS,
    where,
    order,
    limit,
    decoder: (columns) => {
      const d = new EventDecoder(columns);
      return (row) => d.decode(row);
    },
    timeOf: (e) => e.time,
    keyOf: (e) => e.entityId,
  };
}

export async function queryEvents(http: InfluxHttp, q: EventQuery): Promise<EventPage> {
  if (!Number.isSafeInteger(q.limit) || q.limit < 1) {
    throw new StoreError('limit: must be a positive integer', { retryable: false });
  }
  const where = eventConditions(q);
  if (!where) return { events: [] };
  const cursor = q.cursor ? { time: q.cursor.time, key: q.cursor.entityId } : undefined;
  const page = await keysetPage(http, { ...eventSpec(where, q.order, q.limit), cursor });
  const last = page.items[page.items.length - 1];
  return page.more && last
    ? { events: page.items, nextCursor: { time: last.time, entityId: last.entityId } }
    : { events: page.items };
}

export async function* scanEvents(http: InfluxHttp, f: EventFilter): AsyncGenerator<StateEvent> {
  const where = eventConditions(f);
  if (!where) return;
  yield* keysetWalk(http, eventSpec(where, 'asc', SCAN_PAGE));
}

export async function history(http: InfluxHttp, q: HistoryQuery): Promise<StateEvent[]> {
  const entity = tagEquals('entity_id', q.entityId);
  const out: StateEvent[] = [];
  if (q.includeStartState) {
    const [before] = await http.query(
      `SELECT * FROM ${EVENTS} WHERE ${entity} AND time < ${timeLiteral(q.start)} ORDER BY time DESC LIMIT 1`,
    );
    const table = tableOf(before);
    if (table.rows[0]) out.push(new EventDecoder(table.columns).decode(table.rows[0]));
  }
  for await (const e of keysetWalk(http, eventSpec([entity, ...timeRange(q.start, q.end)], 'asc', 2000))) out.push(e);
  return out;
}

export async function hasEntity(http: InfluxHttp, entityId: string): Promise<boolean> {
  const [r] = await http.query(`SELECT "state" FROM ${EVENTS} WHERE ${tagEquals('entity_id', entityId)} LIMIT 1`);
  return tableOf(r).rows.length > 0;
}

export async function lastEventTime(http: InfluxHttp): Promise<number | null> {
  const [r] = await http.query(`SELECT last("state") FROM ${EVENTS}`);
  const t = tableOf(r).rows[0]?.[0];
  return typeof t === 'number' ? t : null;
}

export async function countEvents(http: InfluxHttp, conditions: string[] = []): Promise<number> {
  const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  const [r] = await http.query(`SELECT count("state") FROM ${EVENTS}${where}`);
  const n = tableOf(r).rows[0]?.[1];
  return typeof n === 'number' ? n : 0;
}

export async function summary(http: InfluxHttp, start: number, end: number, busiestLimit: number): Promise<Summary> {
  const where = ` WHERE ${timeRange(start, end).join(' AND ')}`;
  const count = `SELECT count("state") FROM ${EVENTS}${where}`;
  const results = await http.query(
    [
      count,
      `${count} GROUP BY "domain"`,
      `${count} GROUP BY time(1h) fill(none)`,
      `${count} GROUP BY "entity_id"`,
    ].join('; '),
  );
  const total = tableOf(results[0]).rows[0]?.[1];
  const byDomain: Record<string, number> = {};
  for (const [domain, n] of countsByTag(results[1], 'domain')) byDomain[domain] = n;
  const perHour = tableOf(results[2])
    .rows.map((row) => ({ hour: Math.floor(Number(row[0]) / HOUR_US) * HOUR_US, count: Number(row[1]) }))
    .filter((h) => h.count > 0)
    .sort((a, b) => a.hour - b.hour);
  const busiest = [...countsByTag(results[3], 'entity_id')]
    .map(([entityId, count]) => ({ entityId, count }))
    .sort((a, b) => b.count - a.count || (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0))
    .slice(0, Math.max(0, busiestLimit));
  return { totalEvents: typeof total === 'number' ? total : 0, byDomain, perHour, busiest };
}

export async function queryStatistics(http: InfluxHttp, q: StatisticsQuery): Promise<StatisticsRow[]> {
  if (q.entityIds.length === 0) return [];
  const out: StatisticsRow[] = [];
  const walk = keysetWalk<StatisticsRow>(http, {
    from: ident(STATISTICS_MEASUREMENTS[q.period]),
    where: [tagIn('entity_id', q.entityIds), ...timeRange(q.start, q.end)],
    order: 'asc',
    limit: 5000,
    decoder: (columns) => (row) => statisticsRow(columns, row, q.period),
    timeOf: (r) => r.start,
    keyOf: (r) => r.entityId,
  });
  for await (const row of walk) out.push(row);
  return out;
}

interface KeyedPoint {
  point: GenericPoint;
  key: string;
}

export async function queryPoints(http: InfluxHttp, q: PointQuery): Promise<GenericPoint[]> {
  const from = ident(q.measurement);
  const [keys] = await http.query(`SHOW TAG KEYS FROM ${from}`);
  const tagKeys = new Set(tableOf(keys).rows.map((r) => String(r[0])));
  const where = [...Object.entries(q.tags ?? {}).map(([k, v]) => tagEquals(k, v)), ...timeRange(q.start, q.end)];
  const out: GenericPoint[] = [];
  const walk = keysetWalk<KeyedPoint>(
    http,
    {
      from,
      where,
      order: q.order ?? 'asc',
      limit: Math.min(q.limit ?? 1000, 1000),
      decoder: (columns) => (row) => {
        const tags: Record<string, string> = {};
        const fields: Record<string, number | string | boolean> = {};
        for (let i = 1; i < columns.length; i++) {
          const v = row[i];
          if (v === null || v === undefined) continue;
          const c = columns[i]!;
          if (tagKeys.has(c)) tags[c] = decodeTagText(String(v));
          else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') fields[c] = v;
        }
        const key = JSON.stringify(Object.entries(tags).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
        return { point: { time: row[0] as number, tags, fields }, key };
      },
      timeOf: (p) => p.point.time,
      keyOf: (p) => p.key,
    },
    q.limit ?? Number.POSITIVE_INFINITY,
  );
  for await (const p of walk) out.push(p.point);
  return out;
}
