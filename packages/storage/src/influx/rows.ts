import { StoreError } from '../errors';
import type { StateEvent, StatisticsPeriod, StatisticsRow } from '../types';
import type { QueryResult } from './http';
import { decodeTagText } from './line-protocol';

/** One result's rows, merged across its series (a plain SELECT has one series per measurement). */
export interface Table {
  columns: string[];
  rows: unknown[][];
}

const EMPTY: Table = { columns: [], rows: [] };

/** The rows of one statement; a missing database or measurement reads as no rows. */
export function tableOf(result: QueryResult | undefined): Table {
  if (!result) return EMPTY;
  if (result.error) {
    if (/^database not found/.test(result.error)) return EMPTY;
    throw new StoreError(`InfluxDB query: ${result.error}`, { retryable: false });
  }
  const series = result.series;
  if (!series || series.length === 0) return EMPTY;
  if (series.length === 1) return { columns: series[0]!.columns, rows: series[0]!.values ?? [] };
  return { columns: series[0]!.columns, rows: series.flatMap((s) => s.values ?? []) };
}

/** Group-by results: one count per tag value (tag values decoded). */
export function countsByTag(result: QueryResult | undefined, tag: string): Map<string, number> {
  const out = new Map<string, number>();
  if (result?.error && !/^database not found/.test(result.error)) {
    throw new StoreError(`InfluxDB query: ${result.error}`, { retryable: false });
  }
  for (const s of result?.series ?? []) {
    const key = s.tags?.[tag];
    const count = Number(s.values?.[0]?.[1] ?? 0);
    if (key !== undefined && count > 0) out.set(decodeTagText(key), (out.get(decodeTagText(key)) ?? 0) + count);
  }
  return out;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Decodes `home_assistant_events` rows, resolving column positions once per result. */
export class EventDecoder {
  private readonly at: Record<string, number> = {};

  constructor(columns: string[]) {
    columns.forEach((c, i) => {
      this.at[c] = i;
    });
  }

  private get(row: unknown[], name: string): unknown {
    const i = this.at[name];
    return i === undefined ? undefined : row[i];
  }

  time(row: unknown[]): number {
    return row[this.at.time ?? 0] as number;
  }

  entityId(row: unknown[]): string {
    return decodeTagText(String(this.get(row, 'entity_id') ?? ''));
  }

  decode(row: unknown[]): StateEvent {
    const time = this.time(row);
    const attributesText = str(this.get(row, 'attributes'));
    const areaId = str(this.get(row, 'area_id'));
    const deviceId = str(this.get(row, 'device_id'));
    const oldState = str(this.get(row, 'old_state'));
    const duration = num(this.get(row, 'duration_in_state_seconds'));
    const event: StateEvent = {
      entityId: this.entityId(row),
      time,
      lastChanged: num(this.get(row, 'last_changed')) ?? time,
      state: str(this.get(row, 'state')) ?? '',
      removed: this.get(row, 'removed') === true,
      attributes: attributesText ? (JSON.parse(attributesText) as Record<string, unknown>) : {},
      contextId: str(this.get(row, 'context_id')),
      contextParentId: str(this.get(row, 'context_parent_id')),
      contextUserId: str(this.get(row, 'context_user_id')),
      origin: str(this.get(row, 'origin')),
      areaId: areaId === null ? null : decodeTagText(areaId),
      deviceId: deviceId === null ? null : decodeTagText(deviceId),
    };
    if (oldState !== null) event.oldState = oldState;
    if (duration !== null) event.durationInStateSeconds = duration;
    return event;
  }
}

export function statisticsRow(columns: string[], row: unknown[], period: StatisticsPeriod): StatisticsRow {
  const get = (name: string): unknown => {
    const i = columns.indexOf(name);
    return i === -1 ? undefined : row[i];
  };
  const unit = str(get('unit_of_measurement'));
  return {
    entityId: decodeTagText(String(get('entity_id') ?? '')),
    period,
    start: row[columns.indexOf('time')] as number,
    unit: unit === null ? null : decodeTagText(unit),
    mean: num(get('mean')) ?? Number.NaN,
    min: num(get('min')) ?? Number.NaN,
    max: num(get('max')) ?? Number.NaN,
    count: num(get('count')) ?? 0,
    sum: num(get('sum')),
    state: num(get('state')),
  };
}
