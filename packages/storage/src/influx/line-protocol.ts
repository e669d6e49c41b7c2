/**
 * InfluxDB line protocol, pure. Escaping follows what the server's parser really does (checked against
 * influxd 1.6, whose parser 1.8 and 2.x share):
 * - measurement: `,` and space are escaped;
 * - tag keys, tag values, field keys: `,`, `=` and space are escaped. The parser treats any separator that follows a
 *   backslash as escaped and never unescapes `\\`, so a tag value cannot end in a backslash nor hold a newline.
 *   Tag values therefore go through a reversible encoding first (`encodeTagText`): `\` -> `\x5c`, LF -> `\n`,
 *   CR -> `\r`; every backslash stored is then followed by a letter. Values without those characters are unchanged.
 * - string field values: `\` and `"` are escaped; newlines stay raw inside the quotes, which the parser accepts.
 * - floats are written without an `i` suffix (`1` is the float 1), so a field's type never flips.
 */

import { domainOf, numericValue, onOffNumber } from '../event-json';
import type { GenericPoint, StateEvent, StatisticsRow } from '../types';

export const EVENTS_MEASUREMENT = 'home_assistant_events';
export const STATISTICS_MEASUREMENTS = { '5minute': 'statistics_short_term', hour: 'statistics' } as const;

const TAG_TEXT_RE = /[\\\n\r]/;
const TAG_TEXT_ALL = /[\\\n\r]/g;
const TAG_TEXT_CODES: Record<string, string> = { '\\': '\\x5c', '\n': '\\n', '\r': '\\r' };
const TAG_DECODE_RE = /\\(x5c|n|r)/g;
const TAG_DECODES: Record<string, string> = { x5c: '\\', n: '\n', r: '\r' };

/** The reversible text encoding of a tag value (identity unless it holds a backslash, LF or CR). */
export function encodeTagText(value: string): string {
  return TAG_TEXT_RE.test(value) ? value.replace(TAG_TEXT_ALL, (c) => TAG_TEXT_CODES[c]!) : value;
}

/** Inverse of encodeTagText: a tag value as InfluxDB returns it -> the original string. */
export function decodeTagText(stored: string): string {
  return stored.indexOf('\\') === -1 ? stored : stored.replace(TAG_DECODE_RE, (_, code: string) => TAG_DECODES[code]!);
}

const KEY_RE = /[,= ]/;
const KEY_ALL = /[,= ]/g;
const MEASUREMENT_RE = /[, ]/;
const MEASUREMENT_ALL = /[, ]/g;

export function escapeMeasurement(name: string): string {
  return MEASUREMENT_RE.test(name) ? name.replace(MEASUREMENT_ALL, '\\$&') : name;
}

/** Tag keys and field keys (validated elsewhere to hold no backslash or newline). */
export function escapeKey(key: string): string {
  return KEY_RE.test(key) ? key.replace(KEY_ALL, '\\$&') : key;
}

/** A tag value as it goes on the line: encoded, then escaped. */
export function escapeTagValue(value: string): string {
  return escapeKey(encodeTagText(value));
}

/** A string field value with its quotes (plain replaceAll: several times faster than a regex on JSON text). */
export function quoteString(value: string): string {
  const escaped = value.includes('\\') ? value.replaceAll('\\', '\\\\') : value;
  return `"${escaped.includes('"') ? escaped.replaceAll('"', '\\"') : escaped}"`;
}

/** A finite number as a float field value (no `i` suffix); undefined when it is not finite. */
export function formatFloat(n: number): string | undefined {
  return Number.isFinite(n) ? String(n) : undefined;
}

/**
 * Integer µs for the line's timestamp (the write uses precision=u). Built from two halves: V8 turns small integers
 * into text several times faster than 16-digit doubles, and this runs once per point.
 */
export function formatTime(us: number): string {
  const t = Math.round(us);
  if (t < 1e8 || t > Number.MAX_SAFE_INTEGER) return String(t);
  const hi = Math.floor(t / 1e8);
  const lo = String(t - hi * 1e8);
  return `${hi}${'00000000'.slice(lo.length)}${lo}`;
}

/** Why a name cannot be a measurement, tag key or field key; undefined when it can. */
export function invalidName(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (/[\\\n\r]/.test(name)) return 'must not contain a backslash or a line break';
  return undefined;
}

export function invalidMeasurement(name: string): string | undefined {
  return invalidName(name) ?? (name.startsWith('#') ? 'must not start with "#"' : undefined);
}

function tag(key: string, value: unknown): string {
  return typeof value === 'string' && value.length > 0 ? `,${key}=${escapeTagValue(value)}` : '';
}

function stringField(key: string, value: string | null | undefined): string {
  return typeof value === 'string' ? `,${key}=${quoteString(value)}` : '';
}

function floatField(key: string, value: number | null | undefined): string {
  if (typeof value !== 'number') return '';
  const text = formatFloat(value);
  return text === undefined ? '' : `,${key}=${text}`;
}

interface TagCacheEntry {
  areaId: string | null;
  deviceId: string | null;
  deviceClass: unknown;
  unit: unknown;
  prefix: string;
  /** The attributes JSON last written and its quoted field value: most events repeat their entity's last set. */
  attributesJson: string;
  attributesField: string;
}

/** Per entity, the tag set and attributes last written (they rarely change): saves escaping them on every event. */
const tagCache = new Map<string, TagCacheEntry>();

function entityCache(e: StateEvent): TagCacheEntry {
  const deviceClass = e.attributes.device_class;
  const unit = e.attributes.unit_of_measurement;
  const hit = tagCache.get(e.entityId);
  if (
    hit &&
    hit.areaId === e.areaId &&
    hit.deviceId === e.deviceId &&
    hit.deviceClass === deviceClass &&
    hit.unit === unit
  ) {
    return hit;
  }
  const prefix =
    EVENTS_MEASUREMENT +
    tag('area_id', e.areaId) +
    tag('device_class', deviceClass) +
    tag('device_id', e.deviceId) +
    tag('domain', domainOf(e.entityId)) +
    tag('entity_id', e.entityId) +
    tag('unit_of_measurement', unit);
  if (tagCache.size >= 50_000) tagCache.clear();
  const entry = {
    areaId: e.areaId,
    deviceId: e.deviceId,
    deviceClass,
    unit,
    prefix,
    attributesJson: '',
    attributesField: '',
  };
  tagCache.set(e.entityId, entry);
  return entry;
}

function attributesField(entry: TagCacheEntry, attributes: Record<string, unknown>): string {
  const json = JSON.stringify(attributes);
  if (json !== entry.attributesJson) {
    entry.attributesJson = json;
    entry.attributesField = `,attributes=${quoteString(json)}`;
  }
  return entry.attributesField;
}

/**
 * One event as a line of `home_assistant_events` (tags in sorted key order, which spares the server a sort).
 * Besides ARCHITECTURE.md's fields, `last_changed` (float µs) is written only when it differs from the point's time
 * (an attribute-only update), so last_changed round-trips at no cost for ordinary state changes.
 */
export function eventLine(e: StateEvent, haMeasurement?: string): string {
  const entry = entityCache(e);
  let fields = `state=${quoteString(e.state)}`;
  const value = e.removed ? undefined : (numericValue(e.state) ?? onOffNumber(e.state));
  if (value !== undefined) fields += floatField('value', value);
  fields += stringField('old_state', e.oldState);
  fields += attributesField(entry, e.attributes);
  fields += floatField('duration_in_state_seconds', e.durationInStateSeconds);
  fields += stringField('context_id', e.contextId);
  fields += stringField('context_parent_id', e.contextParentId);
  fields += stringField('context_user_id', e.contextUserId);
  fields += stringField('origin', e.origin);
  if (e.lastChanged !== e.time) fields += floatField('last_changed', e.lastChanged);
  if (e.removed) fields += ',removed=true';
  if (haMeasurement !== undefined) fields += stringField('ha_measurement', haMeasurement);
  return `${entry.prefix} ${fields} ${formatTime(e.time)}`;
}

/** One statistics row; every field is a float (count too) so that types never conflict. */
export function statisticsLine(row: StatisticsRow): string {
  const measurement = STATISTICS_MEASUREMENTS[row.period];
  const tags = tag('entity_id', row.entityId) + tag('unit_of_measurement', row.unit);
  const fields = (
    floatField('mean', row.mean) +
    floatField('min', row.min) +
    floatField('max', row.max) +
    floatField('count', row.count) +
    floatField('sum', row.sum) +
    floatField('state', row.state)
  ).slice(1);
  if (fields.length === 0) throw new Error(`statistics ${row.entityId}: no finite value to write`);
  return `${measurement}${tags} ${fields} ${formatTime(row.start)}`;
}

/**
 * A generic point; throws an Error naming the problem when it cannot be written (no fields, a bad key).
 * Numbers are floats, so `3` and `3.5` share a type; non-finite numbers are left out; empty tag values too.
 */
export function pointLine(measurement: string, p: GenericPoint): string {
  let tags = '';
  for (const key of Object.keys(p.tags).sort()) {
    const problem = invalidName(key);
    if (problem) throw new Error(`tag key ${JSON.stringify(key)}: ${problem}`);
    tags += tag(escapeKey(key), p.tags[key]);
  }
  let fields = '';
  for (const [key, value] of Object.entries(p.fields)) {
    const problem = invalidName(key);
    if (problem) throw new Error(`field ${JSON.stringify(key)}: ${problem}`);
    const k = escapeKey(key);
    if (typeof value === 'number') fields += floatField(k, value);
    else if (typeof value === 'boolean') fields += `,${k}=${value}`;
    else if (typeof value === 'string') fields += `,${k}=${quoteString(value)}`;
  }
  if (fields.length === 0) throw new Error('a point needs at least one field with a finite number, string or boolean');
  if (!Number.isFinite(p.time)) throw new Error(`time: not a finite number: ${p.time}`);
  return `${escapeMeasurement(measurement)}${tags} ${fields.slice(1)} ${formatTime(p.time)}`;
}
