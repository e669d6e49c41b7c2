/**
 * The contract between everything that writes and everything that reads HomeIQ's time series.
 * Times are integer microseconds since the Unix epoch (they fit a double exactly until year 2255).
 */

/** One Home Assistant state change, normalized. Identity: (entityId, time). */
export interface StateEvent {
  entityId: string;
  /** new_state.last_updated; for a removal, the event's time_fired. */
  time: number;
  /** new_state.last_changed (equals `time` when the state itself changed). */
  lastChanged: number;
  /** new_state.state; "" for a removal. */
  state: string;
  /** True when new_state was null (the entity was removed). */
  removed: boolean;
  attributes: Record<string, unknown>;
  contextId: string | null;
  contextParentId: string | null;
  contextUserId: string | null;
  /** LOCAL or REMOTE; null when unknown (e.g. backfilled from history). */
  origin: string | null;
  /** From the registry mirror at the time of writing; null when unknown. */
  areaId: string | null;
  deviceId: string | null;
  /** Write-side extras for stores that keep them as fields (InfluxDB); derivable, so optional. */
  oldState?: string | null;
  durationInStateSeconds?: number | null;
}

/** Tags derived from an event (the same derivation for every backend). */
export interface EventTags {
  entity_id: string;
  domain: string;
  device_class?: string;
  unit_of_measurement?: string;
  area_id?: string;
  device_id?: string;
}

export type Order = 'asc' | 'desc';

/** Keyset cursor: the last event of the previous page. Stable while new events arrive. */
export interface EventCursor {
  time: number;
  entityId: string;
}

export interface EventFilter {
  entityIds?: string[];
  domain?: string;
  areaId?: string;
  deviceId?: string;
  state?: string;
  /** Inclusive, µs. */
  start?: number;
  /** Exclusive, µs. */
  end?: number;
}

export interface EventQuery extends EventFilter {
  limit: number;
  order: Order;
  cursor?: EventCursor;
}

export interface EventPage {
  events: StateEvent[];
  /** Present when more events may follow. */
  nextCursor?: EventCursor;
}

export interface HistoryQuery {
  entityId: string;
  start: number;
  end: number;
  /** Also return the state in force at `start`: the newest event before it, first, with its own times. */
  includeStartState: boolean;
}

export type StatisticsPeriod = '5minute' | 'hour';

/** One statistics window of one entity, like Home Assistant's long-term statistics. */
export interface StatisticsRow {
  entityId: string;
  period: StatisticsPeriod;
  /** Window start, µs. */
  start: number;
  unit: string | null;
  mean: number;
  min: number;
  max: number;
  count: number;
  /** total / total_increasing only. */
  sum?: number | null;
  state?: number | null;
}

export interface StatisticsQuery {
  entityIds: string[];
  period: StatisticsPeriod;
  start: number;
  end: number;
}

/** Any other measurement (weather, sports_data). */
export interface GenericPoint {
  time: number;
  tags: Record<string, string>;
  fields: Record<string, number | string | boolean>;
}

export interface PointQuery {
  measurement: string;
  start?: number;
  end?: number;
  tags?: Record<string, string>;
  limit?: number;
  order?: Order;
}

export interface Summary {
  totalEvents: number;
  byDomain: Record<string, number>;
  /** Events per hour, hour start in µs, oldest first. */
  perHour: Array<{ hour: number; count: number }>;
  busiest: Array<{ entityId: string; count: number }>;
}

export interface WriteResult {
  /** Points the store accepted (new or overwritten). */
  written: number;
  /** Points skipped as already stored (where the backend can tell; InfluxDB overwrites and reports 0). */
  duplicates: number;
  /** Points the store refused for good, with its reason: they go to the dead letter, never retried. */
  rejected: Array<{ index: number; reason: string }>;
}

export type RetentionTarget = 'events' | StatisticsPeriod | string;

export interface StorageInfo {
  kind: 'sqlite' | 'influxdb';
  /** Bytes on disk where the backend can tell. */
  bytes: number | null;
  events: number | null;
}

/**
 * A time-series store. Writes are idempotent: writing an event whose (entityId, time) is already stored
 * leaves one copy. Transient failures throw a StoreError with retryable=true; permanent ones either
 * throw retryable=false (the whole batch is bad) or come back per point in WriteResult.rejected.
 */
export interface TimeSeriesStore {
  readonly kind: 'sqlite' | 'influxdb';
  open(): Promise<void>;
  close(): Promise<void>;
  /** Fast liveness check for /health. Throws when the store cannot be used. */
  ping(): Promise<void>;

  writeEvents(events: StateEvent[]): Promise<WriteResult>;
  /** Time of the newest stored event, µs, or null when empty. */
  lastEventTime(): Promise<number | null>;
  queryEvents(query: EventQuery): Promise<EventPage>;
  /** Whether any event of this entity was ever stored (404 vs empty history). */
  hasEntity(entityId: string): Promise<boolean>;
  history(query: HistoryQuery): Promise<StateEvent[]>;
  /** Every event matching the filter, oldest first, streamed (export, statistics, backups). */
  scan(filter: EventFilter): AsyncIterable<StateEvent>;
  summary(start: number, end: number, busiestLimit: number): Promise<Summary>;

  writeStatistics(rows: StatisticsRow[]): Promise<void>;
  queryStatistics(query: StatisticsQuery): Promise<StatisticsRow[]>;

  writePoints(measurement: string, points: GenericPoint[]): Promise<WriteResult>;
  queryPoints(query: PointQuery): Promise<GenericPoint[]>;

  /** Deletes these events (by identity; repairs); returns how many of them were stored. */
  deleteEvents(keys: EventCursor[]): Promise<number>;
  /** Deletes what is older than `before` (µs) in one tier; returns how many rows/points went (null if unknown). */
  deleteBefore(target: RetentionTarget, before: number): Promise<number | null>;
  info(): Promise<StorageInfo>;
}
