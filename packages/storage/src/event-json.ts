import type { StateEvent } from './types';

/**
 * The export format: one JSON object per event, in Home Assistant's naming. Used by `homeiq export`,
 * backups and restore, the live stream between services, and the data-api's responses.
 */
export interface EventJson {
  entity_id: string;
  state: string;
  last_updated: string;
  last_changed: string;
  attributes: Record<string, unknown>;
  context_id: string | null;
  context_parent_id: string | null;
  context_user_id: string | null;
  origin: string | null;
  area_id: string | null;
  device_id: string | null;
  removed?: true;
}

const DAY_US = 86_400_000_000;
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
let cachedDay = Number.NaN;
let dayPrefix = '';

/**
 * µs since epoch -> ISO 8601 with microseconds and +00:00, as Home Assistant writes it. On every hot path (a page
 * of 1000 events formats 2000 times), so the day's prefix is cached and the clock part is plain arithmetic.
 */
export function isoFromMicros(us: number): string {
  const day = Math.floor(us / DAY_US);
  if (day !== cachedDay) {
    cachedDay = day;
    dayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  let rest = us - day * DAY_US;
  const h = Math.floor(rest / 3_600_000_000);
  rest -= h * 3_600_000_000;
  const m = Math.floor(rest / 60_000_000);
  rest -= m * 60_000_000;
  const s = Math.floor(rest / 1_000_000);
  const frac = rest - s * 1_000_000;
  return `${dayPrefix}${TWO[h]}:${TWO[m]}:${TWO[s]}.${String(frac + 1_000_000).slice(1)}+00:00`;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** ISO 8601 (any offset, up to nanoseconds) -> µs since epoch; undefined when it is not a valid time. */
export function microsFromIso(iso: string): number | undefined {
  const m = ISO_RE.exec(iso);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return undefined;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  const micros = Number(frac.padEnd(6, '0').slice(0, 6));
  return (ms - offsetMin * 60_000) * 1000 + micros;
}

/**
 * Epoch seconds as a float (HA's `time.time()`, sent as such by history `lu`/`lc`) -> µs, exactly as Python's
 * `datetime.fromtimestamp` rounds it for the ISO text of the live event: the fraction times 1e6, rounded half to even.
 * `Math.round(seconds * 1e6)` is 1 µs late for about one stamp in eight, which would give one state two identities.
 */
export function microsFromEpochSeconds(seconds: number): number {
  const whole = Math.floor(seconds);
  const scaled = (seconds - whole) * 1_000_000; // both steps as CPython does them, in doubles
  let us = Math.round(scaled);
  if (us - scaled === 0.5 && us % 2 === 1) us -= 1; // Math.round takes halves up; Python takes them to even
  return whole * 1_000_000 + us;
}

export function toEventJson(e: StateEvent): EventJson {
  const updated = isoFromMicros(e.time);
  const out: EventJson = {
    entity_id: e.entityId,
    state: e.state,
    last_updated: updated,
    last_changed: e.lastChanged === e.time ? updated : isoFromMicros(e.lastChanged),
    attributes: e.attributes,
    context_id: e.contextId,
    context_parent_id: e.contextParentId,
    context_user_id: e.contextUserId,
    origin: e.origin,
    area_id: e.areaId,
    device_id: e.deviceId,
  };
  if (e.removed) out.removed = true;
  return out;
}

/** Parses one export line's object; throws an Error naming the bad field. */
export function fromEventJson(o: unknown): StateEvent {
  if (typeof o !== 'object' || o === null) throw new Error('event: must be an object');
  const r = o as Record<string, unknown>;
  const text = (k: string): string => {
    if (typeof r[k] !== 'string') throw new Error(`${k}: must be a string`);
    return r[k] as string;
  };
  const nullableText = (k: string): string | null => {
    const v = r[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw new Error(`${k}: must be a string or null`);
    return v;
  };
  const time = (k: string): number => {
    const v = microsFromIso(text(k));
    if (v === undefined) throw new Error(`${k}: not an ISO 8601 time: ${String(r[k])}`);
    return v;
  };
  const entityId = text('entity_id');
  const t = time('last_updated');
  const attributes = r.attributes ?? {};
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new Error('attributes: must be an object');
  }
  return {
    entityId,
    time: t,
    lastChanged: r.last_changed === undefined ? t : time('last_changed'),
    state: text('state'),
    removed: r.removed === true,
    attributes: attributes as Record<string, unknown>,
    contextId: nullableText('context_id'),
    contextParentId: nullableText('context_parent_id'),
    contextUserId: nullableText('context_user_id'),
    origin: nullableText('origin'),
    areaId: nullableText('area_id'),
    deviceId: nullableText('device_id'),
  };
}

/** The tags every backend derives from an event. */
export function domainOf(entityId: string): string {
  const dot = entityId.indexOf('.');
  return dot > 0 ? entityId.slice(0, dot) : entityId;
}

const STATE_ONE = new Set(['on', 'locked', 'above_horizon', 'open', 'home']);
const STATE_ZERO = new Set(['off', 'unlocked', 'below_horizon', 'closed', 'not_home']);

/**
 * On/off-like states as Home Assistant's state_as_number maps them (on, locked, above_horizon, open, home -> 1;
 * off, unlocked, below_horizon, closed, not_home -> 0); undefined for any other state. "unknown", which HA maps
 * to 0 but never writes to InfluxDB, stays unmapped.
 */
export function onOffNumber(state: string): number | undefined {
  return STATE_ONE.has(state) ? 1 : STATE_ZERO.has(state) ? 0 : undefined;
}

/** A state that is a finite number (the `value` field); on/off-like states are not mapped. */
export function numericValue(state: string): number | undefined {
  if (state.length === 0 || state.length > 40) return undefined;
  const n = Number(state);
  return Number.isFinite(n) && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(state) ? n : undefined;
}
