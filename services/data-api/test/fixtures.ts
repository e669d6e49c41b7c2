// Shared data of the data-api tests: one small home, the same for every store, with the awkward cases in it
// (a rename, a removal, same-time events, a meter reset, hostile strings in every free-text field, unicode).
import { join } from 'node:path';
import { silentLogger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import {
  InProcessLiveFeed,
  type LiveFeed,
  type MetadataStore,
  type StateEvent,
  type StatisticsRow,
  type TimeSeriesStore,
} from '@homeiq/storage';
import { SqliteMetadataStore } from '@homeiq/storage/metadata/sqlite-metadata';
import { SqliteTimeSeriesStore } from '@homeiq/storage/sqlite/sqlite-store';
import { buildApp, type DataApiDeps } from '../src/app';

export const KEY = 'data-api-test-key-0123456789';
export const AUTH = { authorization: `Bearer ${KEY}` };
/** 2024-03-10T00:00:00Z (a Sunday), µs. */
export const T0 = Date.UTC(2024, 2, 10) * 1000;
export const MIN = 60_000_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** The pinned clock of the apps: two days after T0. */
export const NOW_MS = (T0 + 2 * DAY) / 1000;
export const iso = (us: number) => new Date(us / 1000).toISOString();

export const HOSTILE_STATE = `it's "quoted" \\ back\\slash; DROP TABLE events; -- /.*/ OR 1=1 %_`;
export const HOSTILE_AREA = `area' OR '1'='1"; --\\`;
export const HOSTILE_DEVICE = `dev" OR ""="/.+/ \\'`;

function ev(entityId: string, time: number, state: string, over: Partial<StateEvent> = {}): StateEvent {
  return {
    entityId,
    time,
    lastChanged: time,
    state,
    removed: false,
    attributes: {},
    contextId: `ctx-${entityId}-${time}`,
    contextParentId: null,
    contextUserId: null,
    origin: 'LOCAL',
    areaId: null,
    deviceId: null,
    ...over,
  };
}

/** Every event of the fixture home, in no particular order. */
export function fixtureEvents(): StateEvent[] {
  const out: StateEvent[] = [];
  const temp = { unit_of_measurement: '°C', state_class: 'measurement', friendly_name: 'Küche Temperatur 🌡' };
  // A temperature every 10 minutes for two days (288 events), in the kitchen.
  for (let i = 0; i < 288; i++) {
    const t = T0 + i * 10 * MIN + 1234; // off the minute, with microseconds
    const value = (20 + Math.sin(i / 10) * 3).toFixed(2);
    out.push(
      ev('sensor.kitchen_temperature', t, value, { attributes: temp, areaId: 'kitchen', deviceId: 'dev_thermo' }),
    );
  }
  // An energy meter every 15 minutes with a reset at 30 h.
  const energy = { unit_of_measurement: 'kWh', state_class: 'total_increasing', device_class: 'energy' };
  for (let i = 0; i < 192; i++) {
    const t = T0 + i * 15 * MIN;
    const value = t < T0 + 30 * HOUR ? 100 + i * 0.25 : (i - 120) * 0.25;
    out.push(
      ev('sensor.energy', t, value.toFixed(2), { attributes: energy, areaId: 'utility', deviceId: 'dev_meter' }),
    );
  }
  // A light switching every 3 hours, with changing attributes; last_changed differs from last_updated once.
  for (let i = 0; i < 16; i++) {
    const t = T0 + i * 3 * HOUR + 500;
    const on = i % 2 === 0;
    out.push(
      ev('light.living_room', t, on ? 'on' : 'off', {
        attributes: on ? { brightness: 100 + i, color_mode: 'brightness' } : { color_mode: null },
        areaId: 'living_room',
        deviceId: 'dev_lamp',
        contextUserId: on ? 'user-1' : null,
      }),
    );
  }
  out.push(
    ev('light.living_room', T0 + 47 * HOUR, 'off', {
      lastChanged: T0 + 45 * HOUR + 500,
      attributes: { color_mode: null, note: 'attribute-only update' },
      areaId: 'living_room',
      deviceId: 'dev_lamp',
    }),
  );
  // Renamed: sensor.old_power became sensor.power at T0 + 24 h.
  for (let i = 0; i < 24; i++) {
    const t = T0 + i * 2 * HOUR + 7;
    const id = t < T0 + DAY ? 'sensor.old_power' : 'sensor.power';
    out.push(ev(id, t, String(100 + i), { attributes: { unit_of_measurement: 'W' }, deviceId: 'dev_plug' }));
  }
  // Two entities at exactly the same times (keyset ties), one removed at the end.
  for (let i = 0; i < 6; i++) {
    const t = T0 + 40 * HOUR + i * MIN;
    out.push(ev('binary_sensor.front_door', t, i % 2 ? 'off' : 'on', { areaId: 'hall' }));
    out.push(ev('binary_sensor.back_door', t, i % 2 ? 'on' : 'off', { areaId: 'hall' }));
  }
  out.push(
    ev('binary_sensor.back_door', T0 + 41 * HOUR, '', { removed: true, attributes: {}, areaId: 'hall', origin: null }),
  );
  // Hostile strings in state, area, device and attributes.
  out.push(
    ev('sensor.hostile', T0 + 20 * HOUR, HOSTILE_STATE, {
      areaId: HOSTILE_AREA,
      deviceId: HOSTILE_DEVICE,
      attributes: { 'key "with" quotes': `val\nline\t${HOSTILE_STATE}`, emoji: '🏠', nested: { a: [1, 'x'] } },
      contextId: HOSTILE_STATE,
    }),
  );
  out.push(ev('sensor.hostile', T0 + 21 * HOUR, 'plain', { areaId: HOSTILE_AREA, deviceId: HOSTILE_DEVICE }));
  return out;
}

/** data-retention's statistics for part of the window: kitchen hours of day 1 and 5-minute rows of its first hour. */
export function fixtureStatistics(): StatisticsRow[] {
  const rows: StatisticsRow[] = [];
  for (let h = 0; h < 24; h++) {
    rows.push({
      entityId: 'sensor.kitchen_temperature',
      period: 'hour',
      start: T0 + h * HOUR,
      unit: '°C',
      mean: 20 + h / 8,
      min: 18 + h / 16,
      max: 22.5 + h / 32,
      count: 6,
    });
  }
  for (let m = 0; m < 12; m++) {
    rows.push({
      entityId: 'sensor.kitchen_temperature',
      period: '5minute',
      start: T0 + m * 5 * MIN,
      unit: '°C',
      mean: 21 + m / 4,
      min: 21,
      max: 21 + m / 2,
      count: 1,
    });
  }
  for (let h = 0; h < 12; h++) {
    rows.push({
      entityId: 'sensor.energy',
      period: 'hour',
      start: T0 + h * HOUR,
      unit: 'kWh',
      mean: 100 + h,
      min: 100 + h,
      max: 100.75 + h,
      count: 4,
      sum: h + 1,
      state: 100.75 + h,
    });
  }
  return rows;
}

export async function seedStore(store: TimeSeriesStore): Promise<void> {
  const result = await store.writeEvents(fixtureEvents());
  if (result.rejected.length > 0) throw new Error(`fixture rejected: ${JSON.stringify(result.rejected[0])}`);
  await store.writeStatistics(fixtureStatistics());
}

const entity = (entity_id: string, over: Partial<ReturnType<typeof baseEntity>> = {}) => ({
  ...baseEntity(entity_id),
  ...over,
});
function baseEntity(entity_id: string) {
  return {
    entity_id,
    id: `reg-${entity_id}`,
    unique_id: `uniq-${entity_id}`,
    platform: 'demo' as string | null,
    device_id: null as string | null,
    area_id: null as string | null,
    name: null as string | null,
    original_name: entity_id.split('.')[1] ?? null,
    icon: null,
    entity_category: null,
    disabled_by: null,
    hidden_by: null,
    labels: [] as string[],
    previous_entity_ids: [] as string[],
  };
}
const device = (id: string, area_id: string | null, name: string) => ({
  id,
  name,
  name_by_user: null,
  manufacturer: 'Acme "Q"',
  model: 'M1',
  sw_version: '1.0',
  hw_version: null,
  area_id,
  via_device_id: null,
  disabled_by: null,
  entry_type: null,
  identifiers: [['demo', id]],
  labels: [],
});
const area = (area_id: string, name: string) => ({
  area_id,
  name,
  floor_id: null,
  icon: null,
  aliases: [],
  labels: [],
});

export function seedMetadata(meta: MetadataStore): void {
  meta.replaceAll({
    areas: [
      area('kitchen', 'Küche'),
      area('living_room', 'Living room'),
      area('hall', 'Hall'),
      area(HOSTILE_AREA, 'Bad'),
    ],
    devices: [
      device('dev_thermo', 'kitchen', 'Thermometer'),
      device('dev_lamp', 'living_room', 'Lamp'),
      device('dev_plug', 'kitchen', 'Plug'),
      device(HOSTILE_DEVICE, HOSTILE_AREA, 'Hostile'),
    ],
    entities: [
      entity('sensor.kitchen_temperature', { device_id: 'dev_thermo', platform: 'zha' }),
      entity('sensor.energy', { platform: 'shelly' }),
      entity('light.living_room', { device_id: 'dev_lamp', platform: 'hue' }),
      entity('sensor.old_power', { device_id: 'dev_plug', platform: 'tplink' }),
      entity('binary_sensor.front_door', { area_id: 'hall', platform: 'zha' }),
      entity('sensor.hostile', { device_id: HOSTILE_DEVICE, platform: HOSTILE_STATE }),
      entity('sensor.registry_only', { area_id: 'kitchen' }),
    ],
  });
  meta.renameEntity('sensor.old_power', 'sensor.power');
}

/** A temp dir with an opened SQLite store and metadata store (both seeded unless told otherwise). */
export async function sqliteFixture(seed = true) {
  const dir = tempDir('homeiq-data-api-');
  const store = new SqliteTimeSeriesStore(join(dir.path, 'homeiq.db'));
  await store.open();
  const metadata = new SqliteMetadataStore(join(dir.path, 'metadata.db'));
  if (seed) {
    await seedStore(store);
    seedMetadata(metadata);
  }
  return {
    dir: dir.path,
    store,
    metadata,
    cleanup: async () => {
      await store.close();
      metadata.close();
      dir.remove();
    },
  };
}

export function makeApp(
  store: TimeSeriesStore,
  metadata: MetadataStore,
  over: Partial<DataApiDeps> & { feed?: LiveFeed } = {},
) {
  const feed = over.feed ?? new InProcessLiveFeed();
  return buildApp({
    logger: silentLogger(),
    apiKey: KEY,
    timeSeries: async () => store,
    metadata: () => metadata,
    live: () => feed,
    now: () => NOW_MS,
    ...over,
  });
}
