import { microsFromEpochSeconds, type StateEvent } from '@homeiq/storage';
import {
  DEFAULT_LIMITS,
  type EventLimits,
  invalidEntityId,
  measureJson,
  TRUNCATED_MARKER,
  truncateUtf8,
  utf8Bytes,
} from './event-limits';
import type { EntityFilter } from './filter';
import { haTimeMicros } from './ha-time';

/** Where an entity sits, from the registry mirror. */
export interface Placement {
  areaId: string | null;
  deviceId: string | null;
}

export interface PlacementLookup {
  placement(entityId: string): Placement;
}

export const NO_PLACEMENT: Placement = Object.freeze({ areaId: null, deviceId: null });

/** A message that cannot become a StateEvent; `entityId` when it could be read (for the log line). */
export class MalformedEventError extends Error {
  constructor(
    readonly entityId: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'MalformedEventError';
  }
}

type Obj = Record<string, unknown>;

const EMPTY: Obj = Object.freeze({}) as Obj;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function time(entityId: string, field: string, v: unknown): number {
  const t = typeof v === 'string' ? haTimeMicros(v) : undefined;
  if (t === undefined) throw new MalformedEventError(entityId, `${field}: not an ISO 8601 time: ${String(v)}`);
  return t;
}

/**
 * state_changed -> StateEvent, cheaply: no closures, one timestamp parse per distinct string, the attributes
 * object taken as parsed. The same function serves live frames and spool replay, so both give the same events.
 */
export class Normalizer {
  filtered = 0;
  /** Events kept with their attributes replaced by a marker (too large or too deep), and with a cut state. */
  readonly truncated = { attributes: 0, states: 0 };

  /**
   * `extras`: also fill oldState and durationInStateSeconds (stores that keep them as fields, i.e. InfluxDB; the
   * embedded store derives them, so the hot path skips the extra timestamp parse).
   */
  constructor(
    private readonly filter: EntityFilter,
    private readonly placements: PlacementLookup,
    private readonly extras = true,
    private readonly limits: EventLimits = DEFAULT_LIMITS,
  ) {}

  /**
   * Undefined when the entity is filtered out; throws MalformedEventError for a bad message. `count`: false when
   * a spooled record is decoded again (its truncations were counted when it arrived).
   */
  stateChanged(event: unknown, count = true): StateEvent | undefined {
    if (!isObj(event)) throw new MalformedEventError(null, 'event: must be an object');
    const data = event.data;
    if (!isObj(data)) throw new MalformedEventError(null, 'event.data: must be an object');
    const entityId = data.entity_id;
    if (typeof entityId !== 'string' || entityId.indexOf('.') <= 0) {
      throw new MalformedEventError(null, `data.entity_id: not an entity id: ${String(entityId).slice(0, 80)}`);
    }
    const badId = invalidEntityId(entityId);
    if (badId) throw new MalformedEventError(entityId.slice(0, 80), badId);
    if (!this.filter.accepts(entityId)) {
      this.filtered++;
      return undefined;
    }
    const ns = data.new_state;
    const os = data.old_state;
    if (os !== null && os !== undefined && !isObj(os)) {
      throw new MalformedEventError(entityId, 'old_state: must be an object or null');
    }
    const place = this.placements.placement(entityId);
    if (ns === null || ns === undefined) {
      const fired = time(entityId, 'time_fired', event.time_fired);
      const ctx = isObj(event.context) ? event.context : EMPTY;
      return {
        entityId,
        time: fired,
        lastChanged: fired,
        state: '',
        removed: true,
        attributes: EMPTY,
        contextId: strOrNull(ctx.id),
        contextParentId: strOrNull(ctx.parent_id),
        contextUserId: strOrNull(ctx.user_id),
        origin: strOrNull(event.origin),
        areaId: place.areaId,
        deviceId: place.deviceId,
        oldState: os ? strOrNull(os.state) : null,
        durationInStateSeconds: os && this.extras ? durationSince(entityId, os, fired) : null,
      };
    }
    if (!isObj(ns)) throw new MalformedEventError(entityId, 'new_state: must be an object or null');
    const state = ns.state;
    if (typeof state !== 'string') throw new MalformedEventError(entityId, 'new_state.state: must be a string');
    const lu = ns.last_updated;
    const t = time(entityId, 'new_state.last_updated', lu);
    const lc = ns.last_changed;
    const changed = lc === lu || lc === undefined ? t : time(entityId, 'new_state.last_changed', lc);
    let attributes = ns.attributes;
    if (attributes === undefined || attributes === null) attributes = EMPTY;
    else if (!isObj(attributes)) throw new MalformedEventError(entityId, 'new_state.attributes: must be an object');
    const ctx = isObj(ns.context) ? ns.context : isObj(event.context) ? event.context : EMPTY;
    const bounded = this.bound(state, attributes as Obj, count);
    return {
      entityId,
      time: t,
      lastChanged: changed,
      state: bounded === undefined ? state : bounded.state,
      removed: false,
      attributes: bounded === undefined ? (attributes as Obj) : bounded.attributes,
      contextId: strOrNull(ctx.id),
      contextParentId: strOrNull(ctx.parent_id),
      contextUserId: strOrNull(ctx.user_id),
      origin: strOrNull(event.origin),
      areaId: place.areaId,
      deviceId: place.deviceId,
      oldState: os ? strOrNull(os.state) : null,
      durationInStateSeconds: os && this.extras ? durationSince(entityId, os, t) : null,
    };
  }

  /**
   * The limits of event-limits.ts applied to one state: undefined when within them (the common case: the parsed
   * objects are kept, nothing is copied), else the cut state and/or the marker attributes.
   */
  bound(state: string, attributes: Obj, count = true): { state: string; attributes: Obj } | undefined {
    const { maxStateBytes, maxAttributesBytes, maxAttributesDepth } = this.limits;
    let out: { state: string; attributes: Obj } | undefined;
    const m = measureJson(attributes, maxAttributesDepth);
    if (m.bytes > maxAttributesBytes || m.tooDeep) {
      if (count) this.truncated.attributes++;
      const reason = m.tooDeep ? `nested deeper than ${maxAttributesDepth}` : `over ${maxAttributesBytes} bytes`;
      out = { state, attributes: { [TRUNCATED_MARKER]: true, original_bytes: m.bytes, reason } };
    }
    if (state.length * 3 > maxStateBytes) {
      const bytes = utf8Bytes(state);
      if (bytes > maxStateBytes) {
        if (count) this.truncated.states++;
        const attrs = out?.attributes ?? attributes;
        out = {
          state: truncateUtf8(state, maxStateBytes),
          attributes: { ...attrs, _homeiq_state_truncated: true, state_original_bytes: bytes },
        };
      }
    }
    return out;
  }

  /** The limits applied to an event built elsewhere (backfill): the same event, or a bounded copy. */
  boundEvent(e: StateEvent): StateEvent {
    const b = this.bound(e.state, e.attributes as Obj);
    return b === undefined ? e : { ...e, state: b.state, attributes: b.attributes };
  }

  /**
   * One compressed history row ({s, a, lu, lc?}, epoch seconds) -> StateEvent. History carries no context or origin;
   * `previous` (the row before it) gives old state and duration.
   */
  historyRow(entityId: string, row: unknown, previous: StateEvent | undefined): StateEvent {
    if (!isObj(row)) throw new MalformedEventError(entityId, 'history row: must be an object');
    if (typeof row.s !== 'string') throw new MalformedEventError(entityId, 'history row s: must be a string');
    if (typeof row.lu !== 'number' || !Number.isFinite(row.lu)) {
      throw new MalformedEventError(entityId, 'history row lu: must be epoch seconds');
    }
    const t = microsFromEpochSeconds(row.lu);
    const changed = typeof row.lc === 'number' && Number.isFinite(row.lc) ? microsFromEpochSeconds(row.lc) : t;
    // The recorder keeps a removal as a row with an empty state.
    const removed = row.s === '';
    const attributes = !removed && isObj(row.a) ? row.a : EMPTY;
    const place = this.placements.placement(entityId);
    return {
      entityId,
      time: t,
      lastChanged: changed,
      state: row.s,
      removed,
      attributes,
      contextId: null,
      contextParentId: null,
      contextUserId: null,
      origin: null,
      areaId: place.areaId,
      deviceId: place.deviceId,
      oldState: previous ? previous.state : null,
      durationInStateSeconds: previous ? Math.max(0, (t - previous.lastChanged) / 1_000_000) : null,
    };
  }
}

/** How long the old state had lasted when this update came: from old_state.last_changed to the new time. */
function durationSince(entityId: string, os: Obj, t: number): number | null {
  if (typeof os.last_changed !== 'string') return null;
  const since = haTimeMicros(os.last_changed);
  if (since === undefined) throw new MalformedEventError(entityId, 'old_state.last_changed: not an ISO 8601 time');
  return Math.max(0, (t - since) / 1_000_000);
}
