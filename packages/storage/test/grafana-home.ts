// A simulated home's state changes for the Grafana dashboard tests: every domain the dashboards show, one event
// per entity every 5 minutes for two hours, with what each panel should then answer.
import type { StateEvent, StatisticsRow } from '../src/types';
import { ev, MINUTE, T0 } from './conformance/fixtures';

export const STEPS = 24;
export const STEP = 5 * MINUTE;
export const RANGE = { from: T0 - MINUTE, to: T0 + STEPS * STEP };

type Entity = { id: string; attributes: Record<string, unknown>; state: (i: number) => string };

const onOff = (i: number) => (i % 3 === 0 ? 'on' : 'off');

export const ENTITIES: Entity[] = [
  { id: 'light.kitchen', attributes: { friendly_name: 'Kitchen light' }, state: onOff },
  { id: 'switch.pump', attributes: { friendly_name: 'Pump' }, state: onOff },
  { id: 'binary_sensor.front_door', attributes: { device_class: 'door' }, state: onOff },
  { id: 'cover.garage', attributes: { device_class: 'garage' }, state: (i) => (i % 2 ? 'open' : 'closed') },
  { id: 'lock.front', attributes: {}, state: (i) => (i % 2 ? 'locked' : 'unlocked') },
  { id: 'media_player.tv', attributes: { volume_level: 0.4 }, state: (i) => (i % 2 ? 'playing' : 'off') },
  { id: 'climate.hall', attributes: { current_temperature: 20.5 }, state: (i) => (i % 2 ? 'heat' : 'off') },
  {
    id: 'sensor.living_room_temperature',
    attributes: { unit_of_measurement: '°C', device_class: 'temperature', friendly_name: 'Living room' },
    state: (i) => String(19 + (i % 6) / 2),
  },
  {
    id: 'sensor.kitchen_temperature',
    attributes: { unit_of_measurement: '°C', device_class: 'temperature', friendly_name: 'Kitchen' },
    state: (i) => String(21 + (i % 4)),
  },
  {
    id: 'sensor.house_power',
    attributes: { unit_of_measurement: 'W', device_class: 'power' },
    state: (i) => String(300 + 25 * i),
  },
  {
    id: 'sensor.house_energy',
    attributes: { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' },
    state: (i) => (1000 + 0.25 * i).toFixed(2),
  },
  { id: 'person.anna', attributes: { friendly_name: 'Anna' }, state: (i) => (i < 20 ? 'home' : 'not_home') },
  { id: 'person.ben', attributes: { friendly_name: 'Ben' }, state: (i) => (i % 2 ? 'home' : 'not_home') },
];

export function homeEvents(): StateEvent[] {
  const out: StateEvent[] = [];
  for (let i = 0; i < STEPS; i++) {
    ENTITIES.forEach((entity, k) => {
      out.push(ev(entity.id, T0 + i * STEP + k, entity.state(i), { attributes: entity.attributes }));
    });
  }
  return out;
}

export function homeStatistics(): StatisticsRow[] {
  return Array.from({ length: STEPS }, (_, i) => ({
    entityId: 'sensor.living_room_temperature',
    period: '5minute' as const,
    start: T0 + i * STEP,
    unit: '°C',
    mean: 20,
    min: 19,
    max: 21.5,
    count: 1,
  }));
}

/** The values written for entities matching `test` (numbers only). */
export function writtenNumbers(test: (e: StateEvent) => boolean): number[] {
  return homeEvents()
    .filter(test)
    .map((e) => Number(e.state))
    .filter(Number.isFinite);
}
