import type { Logger } from '@homeiq/core';
import { StoreError } from '../errors';
import { isoFromMicros } from '../event-json';
import type { StorageConfig } from '../runtime';
import type {
  EventCursor,
  EventFilter,
  EventPage,
  EventQuery,
  GenericPoint,
  HistoryQuery,
  PointQuery,
  RetentionTarget,
  StateEvent,
  StatisticsQuery,
  StatisticsRow,
  StorageInfo,
  Summary,
  TimeSeriesStore,
  WriteResult,
} from '../types';
import { deleteHaPoints, deleteHaPointsBefore } from './ha-deletes';
import { haLine } from './ha-layout';
import { InfluxHttp } from './http';
import * as reads from './influx-reads';
import { ident, tagEquals, timeLiteral } from './influxql';
import {
  EVENTS_MEASUREMENT,
  encodeTagText,
  eventLine,
  invalidMeasurement,
  pointLine,
  STATISTICS_MEASUREMENTS,
  statisticsLine,
} from './line-protocol';
import { tableOf } from './rows';
import { type Rejection, writeLines } from './write-lines';

function measurementOf(target: RetentionTarget): string {
  if (target === 'events') return EVENTS_MEASUREMENT;
  if (target === '5minute' || target === 'hour') return STATISTICS_MEASUREMENTS[target];
  return target;
}

/** Rejections sorted by event, the first reason of each (an event can be two lines in the home-assistant layout). */
function onePerEvent(rejected: Rejection[]): Rejection[] {
  rejected.sort((a, b) => a.index - b.index);
  return rejected.filter((r, i) => i === 0 || rejected[i - 1]!.index !== r.index);
}

function checkMeasurement(name: string): void {
  const problem = invalidMeasurement(name);
  if (problem) throw new StoreError(`measurement ${JSON.stringify(name)}: ${problem}`, { retryable: false });
}

/**
 * The production time-series store: line protocol over HTTP (v1 `/write` or the v2 write API), InfluxQL over
 * `/query` for reads. Schema: ARCHITECTURE.md (see line-protocol.ts). Writes are idempotent (same series and
 * time overwrite); refused points come back in WriteResult.rejected with the server's reason.
 */
export class InfluxStore implements TimeSeriesStore {
  readonly kind = 'influxdb' as const;
  private readonly http: InfluxHttp;
  private databaseReady: Promise<void> | undefined;

  constructor(
    private readonly config: StorageConfig,
    private readonly logger: Logger,
  ) {
    this.http = new InfluxHttp(config);
  }

  /** Creates the v1 database when missing. An unreachable server is not fatal here: writes retry it. */
  async open(): Promise<void> {
    try {
      await this.ensureDatabase();
    } catch (error) {
      if (!(error instanceof StoreError) || !error.retryable || error.status === 401 || error.status === 403) {
        throw error;
      }
      this.logger.warn({ err: error.message }, 'InfluxDB not reachable at open; writes will wait for it');
    }
  }

  async close(): Promise<void> {}

  ping(): Promise<void> {
    return this.http.ping();
  }

  private ensureDatabase = async (): Promise<void> => {
    if (this.http.v2) return;
    this.databaseReady ??= this.http.query(`CREATE DATABASE ${ident(this.http.database)}`, { write: true }).then(
      () => undefined,
      (error: unknown) => {
        // A least-privilege user (SECURITY.md) may not create databases: the operator made it beforehand,
        // and a write into a missing one still fails with the server's own reason.
        if (error instanceof StoreError && error.status === 403 && /requires admin privilege/.test(error.message))
          return;
        throw error;
      },
    );
    try {
      await this.databaseReady;
    } catch (error) {
      this.databaseReady = undefined;
      throw error;
    }
  };

  private async send(lines: string[], indexes?: number[]): Promise<Rejection[]> {
    const idx = indexes ?? Array.from({ length: lines.length }, (_, i) => i);
    const rejected = await writeLines(this.http, lines, idx, async () => {
      this.databaseReady = undefined;
      await this.ensureDatabase();
    });
    return rejected.sort((a, b) => a.index - b.index);
  }

  async writeEvents(events: StateEvent[]): Promise<WriteResult> {
    if (events.length === 0) return { written: 0, duplicates: 0, rejected: [] };
    const lines: string[] = [];
    let indexes: number[] | undefined;
    let rejected: Rejection[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      try {
        if (typeof e.entityId !== 'string' || e.entityId.length === 0) throw new Error('entity_id: must not be empty');
        if (!Number.isFinite(e.time)) throw new Error(`time: not a finite number: ${e.time}`);
        const ha = this.haLayout ? haLine(e, this.config) : undefined;
        lines.push(eventLine(e, ha?.measurement));
        indexes?.push(i);
        if (ha) {
          indexes ??= Array.from({ length: lines.length }, (_, k) => k);
          lines.push(ha.line);
          indexes.push(i);
        }
      } catch (error) {
        // Refused here rather than by the server: the rest of the batch still goes.
        indexes ??= Array.from({ length: i }, (_, k) => k);
        rejected.push({ index: i, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    if (lines.length > 0) rejected = rejected.concat(await this.send(lines, indexes));
    rejected = onePerEvent(rejected);
    return { written: events.length - rejected.length, duplicates: 0, rejected };
  }

  async writeStatistics(rows: StatisticsRow[]): Promise<void> {
    if (rows.length === 0) return;
    const rejected = await this.send(rows.map(statisticsLine));
    if (rejected.length > 0) {
      const first = rejected[0]!;
      throw new StoreError(
        `InfluxDB refused ${rejected.length} statistics rows; first (${first.index}): ${first.reason}`,
        {
          retryable: false,
        },
      );
    }
  }

  async writePoints(measurement: string, points: GenericPoint[]): Promise<WriteResult> {
    checkMeasurement(measurement);
    const lines: string[] = [];
    const indexes: number[] = [];
    const rejected: Rejection[] = [];
    points.forEach((p, index) => {
      try {
        lines.push(pointLine(measurement, p));
        indexes.push(index);
      } catch (error) {
        rejected.push({ index, reason: error instanceof Error ? error.message : String(error) });
      }
    });
    if (lines.length > 0) rejected.push(...(await this.send(lines, indexes)));
    rejected.sort((a, b) => a.index - b.index);
    return { written: points.length - rejected.length, duplicates: 0, rejected };
  }

  lastEventTime(): Promise<number | null> {
    return reads.lastEventTime(this.http);
  }

  queryEvents(query: EventQuery): Promise<EventPage> {
    return reads.queryEvents(this.http, query);
  }

  hasEntity(entityId: string): Promise<boolean> {
    return reads.hasEntity(this.http, entityId);
  }

  history(query: HistoryQuery): Promise<StateEvent[]> {
    return reads.history(this.http, query);
  }

  scan(filter: EventFilter): AsyncIterable<StateEvent> {
    return reads.scanEvents(this.http, filter);
  }

  summary(start: number, end: number, busiestLimit: number): Promise<Summary> {
    return reads.summary(this.http, start, end, busiestLimit);
  }

  queryStatistics(query: StatisticsQuery): Promise<StatisticsRow[]> {
    return reads.queryStatistics(this.http, query);
  }

  queryPoints(query: PointQuery): Promise<GenericPoint[]> {
    checkMeasurement(query.measurement);
    return reads.queryPoints(this.http, query);
  }

  /** One point per key: InfluxQL DELETE on its series and instant (v1), the delete API (v2). */
  async deleteEvents(keys: EventCursor[]): Promise<number> {
    const from = ident(EVENTS_MEASUREMENT);
    const at = (k: EventCursor) =>
      `${tagEquals('entity_id', k.entityId)} AND time >= ${timeLiteral(k.time)} AND time <= ${timeLiteral(k.time)}`;
    let found = 0;
    for (let i = 0; i < keys.length; i += 50) {
      const group = keys.slice(i, i + 50);
      const counted = await this.http.query(
        group.map((k) => `SELECT count("state") FROM ${from} WHERE ${at(k)}`).join(';'),
      );
      const present = group.filter((_, j) => (tableOf(counted[j]).rows[0]?.[1] ?? 0) !== 0);
      found += present.length;
      if (present.length === 0) continue;
      if (this.haLayout) await deleteHaPoints(this.http, present, () => this.orgBucket());
      if (this.http.v2) {
        for (const k of present) {
          const iso = isoFromMicros(k.time).replace('+00:00', 'Z');
          await this.http.deleteV2(EVENTS_MEASUREMENT, iso, this.orgBucket(), {
            startIso: iso,
            entityId: encodeTagText(k.entityId),
          });
        }
      } else {
        const results = await this.http.query(present.map((k) => `DELETE FROM ${from} WHERE ${at(k)}`).join(';'), {
          write: true,
        });
        const failed = results.find((r) => r?.error);
        if (failed) throw new StoreError(`InfluxDB delete: ${failed.error}`, { retryable: false });
      }
    }
    return found;
  }

  private get haLayout(): boolean {
    return this.config.influxLayout === 'home-assistant';
  }

  private orgBucket(): { org: string; bucket: string } {
    return { org: this.config.influxOrg!, bucket: this.config.influxBucket! };
  }

  /** InfluxQL DELETE (v1), the delete API (v2). Returns how many points went, counted just before. */
  async deleteBefore(target: RetentionTarget, before: number): Promise<number | null> {
    const measurement = measurementOf(target);
    checkMeasurement(measurement);
    const from = ident(measurement);
    const [counted] = await this.http.query(`SELECT count(*) FROM ${from} WHERE time < ${timeLiteral(before)}`);
    const row = tableOf(counted).rows[0];
    const count = row ? Math.max(0, ...row.slice(1).map((v) => (typeof v === 'number' ? v : 0))) : 0;
    if (count === 0) return 0;
    if (target === 'events' && this.haLayout) await deleteHaPointsBefore(this.http, before, () => this.orgBucket());
    if (this.http.v2) {
      // The v2 delete range includes its stop: stop 1 ns before `before`, which no µs point lies between.
      await this.http.deleteV2(measurement, isoFromMicros(before - 1).replace('+00:00', '999Z'), this.orgBucket());
    } else {
      const [r] = await this.http.query(`DELETE FROM ${from} WHERE time < ${timeLiteral(before)}`, { write: true });
      if (r?.error) throw new StoreError(`InfluxDB delete: ${r.error}`, { retryable: false });
    }
    return count;
  }

  async info(): Promise<StorageInfo> {
    const events = await reads.countEvents(this.http);
    let bytes: number | null = null;
    if (!this.http.v2) {
      try {
        const [stats] = await this.http.query("SHOW STATS FOR 'shard'");
        for (const s of stats?.series ?? []) {
          if (s.tags?.database !== this.http.database) continue;
          const i = s.columns.indexOf('diskBytes');
          const v = i === -1 ? undefined : s.values[0]?.[i];
          if (typeof v === 'number') bytes = (bytes ?? 0) + v;
        }
      } catch {
        bytes = null; // SHOW STATS needs admin rights on secured servers
      }
    }
    return { kind: 'influxdb', bytes, events };
  }
}
