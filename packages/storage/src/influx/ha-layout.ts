/**
 * The `home-assistant` layout: each state as Home Assistant's own InfluxDB integration writes it
 * (homeassistant/components/influxdb), so dashboards built on it keep working. Its rules:
 * - states "unknown", "unavailable" and "" (and removals) are not written by HA;
 * - measurement: INFLUXDB_HA_OVERRIDE_MEASUREMENT, else the measurement attribute (unit_of_measurement by default,
 *   or `<domain>__<device_class>`, or the entity_id), else INFLUXDB_HA_DEFAULT_MEASUREMENT, else the entity_id;
 * - tags: `domain`, `entity_id` = the object id (without the domain), the tags_attributes, then INFLUXDB_HA_TAGS;
 * - fields: `value` (float) when the state is a number or on/off-like (on, locked, above_horizon, open, home -> 1;
 *   off, unlocked, below_horizon, closed, not_home -> 0), `state` (string) when it is not a plain number; each
 *   attribute as `<name>` (float) or `<name>_str` (its Python text, plus `<name>` from its digits when the text
 *   ends in a number); a name already taken gets a trailing `_`; non-finite numbers are left out.
 * HomeIQ keeps its own events (what its reads need) in `home_assistant_events` beside them; see the README.
 */

import { onOffNumber } from '../event-json';
import type { HaLayoutConfig } from '../ha-layout-config';
import type { StateEvent } from '../types';
import {
  encodeTagText,
  escapeMeasurement,
  escapeTagValue,
  formatFloat,
  formatTime,
  quoteString,
} from './line-protocol';
import { pythonFloat, pythonStr } from './python-values';

export interface HaPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | string>;
}

const NOT_RECORDED = new Set(['unknown', 'unavailable', '']);
const DIGIT_TAIL = /^[^.]*\d+\.?\d+[^.]*$/;
const NOT_DECIMAL = /[^\d.]+/g;

/** Home Assistant's state_as_number: on/off-like states as 1/0, else Python float(); undefined when neither. */
export function stateAsNumber(state: string): number | undefined {
  if (state === 'unknown') return 0;
  return onOffNumber(state) ?? pythonFloat(state);
}

/** Whether HA's integration writes this event at all. */
export function haRecords(e: StateEvent): boolean {
  return !e.removed && !NOT_RECORDED.has(e.state);
}

function splitEntityId(entityId: string): { domain: string; objectId: string } {
  const dot = entityId.indexOf('.');
  return dot > 0
    ? { domain: entityId.slice(0, dot), objectId: entityId.slice(dot + 1) }
    : { domain: entityId, objectId: entityId };
}

function measurementOf(e: StateEvent, domain: string, c: HaLayoutConfig) {
  let includeUnit = true;
  let includeDeviceClass = true;
  if (c.haOverrideMeasurement) return { measurement: c.haOverrideMeasurement, includeUnit, includeDeviceClass };
  let measurement: unknown;
  if (c.haMeasurementAttr === 'entity_id') measurement = e.entityId;
  else if (c.haMeasurementAttr === 'domain__device_class') {
    const deviceClass = e.attributes.device_class;
    if (deviceClass === undefined || deviceClass === null) measurement = domain;
    else {
      measurement = `${domain}__${pythonStr(deviceClass)}`;
      includeDeviceClass = false;
    }
  } else measurement = e.attributes[c.haMeasurementAttr];
  if (measurement === undefined || measurement === null || measurement === '') {
    measurement = c.haDefaultMeasurement ?? e.entityId;
  } else includeUnit = c.haMeasurementAttr !== 'unit_of_measurement';
  return { measurement: pythonStr(measurement), includeUnit, includeDeviceClass };
}

function stateFields(state: string): Record<string, number | string> {
  const fields: Record<string, number | string> = {};
  const plain = pythonFloat(state);
  if (plain !== undefined) {
    if (Number.isFinite(plain)) fields.value = plain;
    return fields;
  }
  fields.state = state;
  const mapped = stateAsNumber(state);
  if (mapped !== undefined && Number.isFinite(mapped)) fields.value = mapped;
  return fields;
}

/** The point HA's integration writes for this event (when haRecords), without HomeIQ's fields. */
export function haPoint(e: StateEvent, c: HaLayoutConfig): HaPoint {
  const { domain, objectId } = splitEntityId(e.entityId);
  const { measurement, includeUnit, includeDeviceClass } = measurementOf(e, domain, c);
  const tags: Record<string, string> = { domain, entity_id: objectId };
  const fields = stateFields(e.state);
  for (const [name, raw] of Object.entries(e.attributes)) {
    if (c.haTagsAttributes.includes(name)) {
      tags[name] = pythonStr(raw);
      continue;
    }
    if (name === 'unit_of_measurement' && !includeUnit) continue;
    if (name === 'device_class' && !includeDeviceClass) continue;
    if (c.haIgnoreAttributes.includes(name)) continue;
    let key = name;
    if (Object.hasOwn(fields, key)) key = `${key}_`;
    const number = pythonFloat(raw);
    if (number !== undefined) {
      if (Number.isFinite(number)) fields[key] = number;
      else delete fields[key];
      continue;
    }
    const text = pythonStr(raw);
    fields[`${key}_str`] = text;
    if (DIGIT_TAIL.test(text)) {
      const tail = pythonFloat(text.replace(NOT_DECIMAL, ''));
      if (tail !== undefined && Number.isFinite(tail)) fields[key] = tail;
    }
  }
  Object.assign(tags, c.haTags);
  return { measurement, tags, fields };
}

/**
 * The HA point as a line of line protocol (tags and fields sorted by key, as HA's client sends them), with its
 * measurement; undefined when HA writes nothing for this event.
 */
export function haLine(e: StateEvent, c: HaLayoutConfig): { measurement: string; line: string } | undefined {
  if (!haRecords(e)) return undefined;
  const p = haPoint(e, c);
  if (Object.keys(p.fields).length === 0) return undefined;
  // Names go through the tag text encoding too: a line break cannot sit in a name (HA's client escapes it as `\n`).
  const measurement = encodeTagText(p.measurement);
  let line = escapeMeasurement(measurement);
  for (const key of Object.keys(p.tags).sort()) {
    const value = p.tags[key]!;
    if (key !== '' && value !== '') line += `,${escapeTagValue(key)}=${escapeTagValue(value)}`;
  }
  const fields: string[] = [];
  for (const key of Object.keys(p.fields).sort()) {
    const value = p.fields[key]!;
    fields.push(`${escapeTagValue(key)}=${typeof value === 'number' ? formatFloat(value) : quoteString(value)}`);
  }
  return { measurement, line: `${line} ${fields.join(',')} ${formatTime(e.time)}` };
}
