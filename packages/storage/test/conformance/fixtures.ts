// Shared data and helpers of the store conformance suite. Backend-agnostic: nothing here knows SQLite or InfluxDB.
import type { EventFilter, StateEvent, TimeSeriesStore } from '../../src/types';

export interface StoreHandle {
  /** An opened, empty store. */
  store: TimeSeriesStore;
  cleanup(): Promise<void>;
}
export type MakeStore = () => Promise<StoreHandle>;

/** 2024-03-10T00:00:00Z in µs: every fixture time is an offset from here. */
export const T0 = Date.UTC(2024, 2, 10) * 1000;
export const SECOND = 1_000_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** Runs `fn` on a fresh store and always cleans up. */
export async function withStore(make: MakeStore, fn: (store: TimeSeriesStore) => Promise<void>): Promise<void> {
  const { store, cleanup } = await make();
  try {
    await fn(store);
  } finally {
    await cleanup();
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A deterministic, valid ULID (26 chars, uppercase Crockford base32) for the n-th context at time `us`. */
export function ulid(us: number, n: number): string {
  let ms = Math.floor(us / 1000);
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  let r = (n * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < 16; i++) {
    r = (r * 1103515245 + 12345) >>> 0;
    out += CROCKFORD[(r >>> 16) % 32];
  }
  return out;
}

/** An event with sensible defaults; `over` replaces any field. */
export function ev(entityId: string, time: number, state: string, over: Partial<StateEvent> = {}): StateEvent {
  return {
    entityId,
    time,
    lastChanged: time,
    state,
    removed: false,
    attributes: {},
    contextId: ulid(time, entityId.length),
    contextParentId: null,
    contextUserId: null,
    origin: 'LOCAL',
    areaId: null,
    deviceId: null,
    ...over,
  };
}

/** The contract fields of an event, for deep comparison (drops write-side extras such as oldState). */
export function canonical(e: StateEvent): StateEvent {
  return {
    entityId: e.entityId,
    time: e.time,
    lastChanged: e.lastChanged,
    state: e.state,
    removed: e.removed,
    attributes: e.attributes,
    contextId: e.contextId,
    contextParentId: e.contextParentId,
    contextUserId: e.contextUserId,
    origin: e.origin,
    areaId: e.areaId,
    deviceId: e.deviceId,
  };
}

export const byTimeAsc = (a: StateEvent, b: StateEvent): number =>
  a.time - b.time || (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0);
export const byTimeDesc = (a: StateEvent, b: StateEvent): number => byTimeAsc(b, a);

/** Sorted canonical copies. */
export function sorted(events: StateEvent[], order: 'asc' | 'desc' = 'asc'): StateEvent[] {
  return events.map(canonical).sort(order === 'asc' ? byTimeAsc : byTimeDesc);
}

/** What a filter should select from `events` (the reference semantics every backend must match). */
export function matches(e: StateEvent, f: EventFilter): boolean {
  if (f.entityIds && !f.entityIds.includes(e.entityId)) return false;
  if (f.domain !== undefined && e.entityId.slice(0, e.entityId.indexOf('.')) !== f.domain) return false;
  if (f.areaId !== undefined && e.areaId !== f.areaId) return false;
  if (f.deviceId !== undefined && e.deviceId !== f.deviceId) return false;
  if (f.state !== undefined && e.state !== f.state) return false;
  if (f.start !== undefined && e.time < f.start) return false;
  if (f.end !== undefined && e.time >= f.end) return false;
  return true;
}

/** Every event matching `filter`, read through queryEvents pages of `limit`. */
export async function readAll(
  store: TimeSeriesStore,
  filter: EventFilter,
  order: 'asc' | 'desc' = 'desc',
  limit = 1000,
): Promise<StateEvent[]> {
  const out: StateEvent[] = [];
  let cursor: { time: number; entityId: string } | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await store.queryEvents({ ...filter, limit, order, ...(cursor ? { cursor } : {}) });
    out.push(...page.events.map(canonical));
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('readAll: too many pages');
}

/**
 * A small realistic home over 3 hours: numeric sensors with units, a light with changing attributes,
 * a binary sensor, a switch that gets removed, several entities sharing timestamps (ties for the cursor).
 */
export function homeFixture(): StateEvent[] {
  const out: StateEvent[] = [];
  const temp = { unit_of_measurement: '°C', device_class: 'temperature', friendly_name: 'Salon température' };
  for (let i = 0; i < 36; i++) {
    const t = T0 + i * 5 * MINUTE + 123_457;
    out.push(
      ev('sensor.temperature_salon', t, (20 + (i % 7) * 0.1).toFixed(1), {
        attributes: temp,
        areaId: 'living_room',
        deviceId: 'dev-thermo-1',
      }),
    );
    // Same timestamp, different entity: keyset ties.
    out.push(
      ev('sensor.humidity_salon', t, String(40 + (i % 5)), {
        attributes: { unit_of_measurement: '%', device_class: 'humidity' },
        areaId: 'living_room',
        deviceId: 'dev-thermo-1',
      }),
    );
  }
  for (let i = 0; i < 20; i++) {
    const t = T0 + i * 9 * MINUTE + 7;
    const on = i % 2 === 0;
    out.push(
      ev('light.kitchen', t, on ? 'on' : 'off', {
        attributes: on ? { brightness: 100 + i, color_mode: 'brightness', friendly_name: 'Kitchen' } : {},
        areaId: 'kitchen',
        deviceId: 'dev-light-1',
        contextUserId: on ? '0f3b1c2d4e5f60718293a4b5c6d7e8f9' : null,
        origin: on ? 'REMOTE' : 'LOCAL',
      }),
    );
  }
  for (let i = 0; i < 12; i++) {
    const t = T0 + i * 13 * MINUTE + 999_999;
    out.push(
      ev('binary_sensor.door', t, i % 2 ? 'on' : 'off', {
        attributes: { device_class: 'door' },
        areaId: 'hall',
        deviceId: 'dev-door-1',
        contextParentId: ulid(t, 99),
      }),
    );
  }
  // An attribute-only update keeps last_changed from the previous change.
  const sw = T0 + 10 * MINUTE;
  out.push(ev('switch.pump', sw, 'on', { areaId: 'garage' }));
  out.push(
    ev('switch.pump', sw + 30 * SECOND, 'on', { lastChanged: sw, attributes: { power: 12.5 }, areaId: 'garage' }),
  );
  out.push(ev('switch.pump', sw + HOUR, '', { removed: true, areaId: 'garage', contextId: null, origin: null }));
  return out;
}
