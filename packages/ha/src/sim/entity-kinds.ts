import type { Random } from './random';

/** What a kind of entity looks like in Home Assistant, and how its state moves. */
export interface KindSpec {
  domain: string;
  /** The entity's name on its device (HA has_entity_name); null = the device's name alone. */
  name: string | null;
  deviceClass?: string;
  unit?: string;
  stateClass?: 'measurement' | 'total_increasing';
  category?: 'diagnostic' | 'config';
  /** Relative share of the event stream. */
  weight: number;
  numeric?: { initial: [number, number]; step: number; min: number; max: number; decimals: number };
}

export type Kind =
  | 'temperature'
  | 'outdoor_temperature'
  | 'humidity'
  | 'power'
  | 'energy'
  | 'voltage'
  | 'current'
  | 'illuminance'
  | 'battery'
  | 'signal'
  | 'motion'
  | 'occupancy'
  | 'door'
  | 'window'
  | 'light'
  | 'switch'
  | 'climate'
  | 'media_player'
  | 'device_tracker';

const num = (initial: [number, number], step: number, min: number, max: number, decimals: number) => ({
  initial,
  step,
  min,
  max,
  decimals,
});

export const KINDS: Record<Kind, KindSpec> = {
  temperature: {
    domain: 'sensor',
    name: 'Temperature',
    deviceClass: 'temperature',
    unit: '°C',
    stateClass: 'measurement',
    weight: 3,
    numeric: num([19, 23], 0.1, 12, 30, 1),
  },
  outdoor_temperature: {
    domain: 'sensor',
    name: 'Outdoor temperature',
    deviceClass: 'temperature',
    unit: '°C',
    stateClass: 'measurement',
    weight: 2,
    numeric: num([2, 14], 0.1, -20, 40, 1),
  },
  humidity: {
    domain: 'sensor',
    name: 'Humidity',
    deviceClass: 'humidity',
    unit: '%',
    stateClass: 'measurement',
    weight: 2,
    numeric: num([38, 55], 0.3, 20, 95, 1),
  },
  power: {
    domain: 'sensor',
    name: 'Power',
    deviceClass: 'power',
    unit: 'W',
    stateClass: 'measurement',
    weight: 6,
    numeric: num([0, 300], 15, 0, 3600, 1),
  },
  energy: {
    domain: 'sensor',
    name: 'Energy',
    deviceClass: 'energy',
    unit: 'kWh',
    stateClass: 'total_increasing',
    weight: 3,
    numeric: num([10, 900], 0.004, 0, 1e9, 3),
  },
  voltage: {
    domain: 'sensor',
    name: 'Voltage',
    deviceClass: 'voltage',
    unit: 'V',
    stateClass: 'measurement',
    category: 'diagnostic',
    weight: 2,
    numeric: num([228, 234], 0.4, 215, 245, 1),
  },
  current: {
    domain: 'sensor',
    name: 'Current',
    deviceClass: 'current',
    unit: 'A',
    stateClass: 'measurement',
    category: 'diagnostic',
    weight: 2,
    numeric: num([0, 1.5], 0.05, 0, 16, 2),
  },
  illuminance: {
    domain: 'sensor',
    name: 'Illuminance',
    deviceClass: 'illuminance',
    unit: 'lx',
    stateClass: 'measurement',
    weight: 2,
    numeric: num([5, 400], 12, 0, 20000, 0),
  },
  battery: {
    domain: 'sensor',
    name: 'Battery',
    deviceClass: 'battery',
    unit: '%',
    stateClass: 'measurement',
    category: 'diagnostic',
    weight: 0.2,
    numeric: num([40, 100], 1, 0, 100, 0),
  },
  signal: {
    domain: 'sensor',
    name: 'Signal strength',
    deviceClass: 'signal_strength',
    unit: 'dBm',
    stateClass: 'measurement',
    category: 'diagnostic',
    weight: 1,
    numeric: num([-75, -45], 2, -95, -30, 0),
  },
  motion: { domain: 'binary_sensor', name: 'Motion', deviceClass: 'motion', weight: 1.5 },
  occupancy: { domain: 'binary_sensor', name: 'Occupancy', deviceClass: 'occupancy', weight: 0.8 },
  door: { domain: 'binary_sensor', name: 'Door', deviceClass: 'door', weight: 0.6 },
  window: { domain: 'binary_sensor', name: 'Window', deviceClass: 'window', weight: 0.4 },
  light: { domain: 'light', name: null, weight: 1.5 },
  switch: { domain: 'switch', name: null, deviceClass: 'outlet', weight: 0.6 },
  climate: { domain: 'climate', name: null, weight: 1.5 },
  media_player: { domain: 'media_player', name: null, deviceClass: 'speaker', weight: 1 },
  device_tracker: { domain: 'device_tracker', name: null, weight: 0.5 },
};

/** Formats a numeric state the way integrations report it (fixed decimals, no "-0"). */
export function formatNumber(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return text === '-0' || text === '-0.0' || text === '-0.00' || text === '-0.000' ? text.slice(1) : text;
}

/** A random walk bounded to [min, max]. */
export function walk(value: number, spec: NonNullable<KindSpec['numeric']>, random: Random): number {
  const next = value + (random.next() * 2 - 1) * spec.step * (1 + random.int(0, 3));
  return Math.min(spec.max, Math.max(spec.min, next));
}
