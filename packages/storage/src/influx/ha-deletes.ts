// Deletes of the home-assistant layout: an event's HA point lies in the measurement its companion point in
// home_assistant_events names (field `ha_measurement`), tagged with the object id and the domain.
import { StoreError } from '../errors';
import { domainOf, isoFromMicros } from '../event-json';
import type { EventCursor } from '../types';
import type { InfluxHttp } from './http';
import { ident, tagEquals, timeLiteral } from './influxql';
import { EVENTS_MEASUREMENT } from './line-protocol';
import { tableOf } from './rows';

const EVENTS = ident(EVENTS_MEASUREMENT);

function at(time: number): string {
  return `time >= ${timeLiteral(time)} AND time <= ${timeLiteral(time)}`;
}

function objectIdOf(entityId: string): string {
  const domain = domainOf(entityId);
  return domain.length < entityId.length ? entityId.slice(domain.length + 1) : entityId;
}

function checked(results: { error?: string }[]): void {
  const failed = results.find((r) => r?.error);
  if (failed) throw new StoreError(`InfluxDB delete: ${failed.error}`, { retryable: false });
}

/** Deletes the HA points of these events (call before their companions go: it reads their measurement). */
export async function deleteHaPoints(
  http: InfluxHttp,
  keys: EventCursor[],
  orgBucket: () => { org: string; bucket: string },
): Promise<void> {
  if (keys.length === 0) return;
  const found = await http.query(
    keys
      .map(
        (k) => `SELECT "ha_measurement" FROM ${EVENTS} WHERE ${tagEquals('entity_id', k.entityId)} AND ${at(k.time)}`,
      )
      .join(';'),
  );
  const deletes: string[] = [];
  for (const [j, k] of keys.entries()) {
    const measurements = new Set(
      tableOf(found[j])
        .rows.map((row) => row[1])
        .filter((m) => typeof m === 'string'),
    );
    for (const m of measurements as Set<string>) {
      if (http.v2) {
        const iso = isoFromMicros(k.time).replace('+00:00', 'Z');
        await http.deleteV2(m, iso, orgBucket(), { startIso: iso, entityId: objectIdOf(k.entityId) });
        continue;
      }
      const tags = `${tagEquals('entity_id', objectIdOf(k.entityId))} AND ${tagEquals('domain', domainOf(k.entityId))}`;
      deletes.push(`DELETE FROM ${ident(m)} WHERE ${tags} AND ${at(k.time)}`);
    }
  }
  if (deletes.length > 0) checked(await http.query(deletes.join(';'), { write: true }));
}

/**
 * Deletes every point before `before` from the measurements HomeIQ's HA points went to (retention). This includes
 * what Home Assistant itself wrote there earlier: the retention applies to the whole measurement.
 */
export async function deleteHaPointsBefore(
  http: InfluxHttp,
  before: number,
  orgBucket: () => { org: string; bucket: string },
): Promise<void> {
  const [r] = await http.query(`SELECT DISTINCT("ha_measurement") FROM ${EVENTS} WHERE time < ${timeLiteral(before)}`);
  const measurements = tableOf(r)
    .rows.map((row) => row[1])
    .filter((m): m is string => typeof m === 'string' && m !== EVENTS_MEASUREMENT);
  if (measurements.length === 0) return;
  if (http.v2) {
    const stop = isoFromMicros(before - 1).replace('+00:00', '999Z');
    for (const m of measurements) await http.deleteV2(m, stop, orgBucket());
    return;
  }
  const statements = measurements.map((m) => `DELETE FROM ${ident(m)} WHERE time < ${timeLiteral(before)}`);
  checked(await http.query(statements.join(';'), { write: true }));
}
