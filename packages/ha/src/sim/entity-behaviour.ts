import { formatNumber, KINDS, type Kind, walk } from './entity-kinds';
import type { Random } from './random';
import { isoFromMicros, type SimClock } from './time';

type Attrs = Record<string, unknown>;

/** The mutable model behind one simulated entity (what its integration knows). */
export interface Model {
  kind: Kind;
  friendlyName: string;
  value: number;
  target: number;
  /** The attributes of the current state; replaced (never mutated) when they change. */
  attrs: Attrs;
  state: string;
}

// Latin-1 only: one non-Latin-1 character makes V8 store a whole coalesced frame as UTF-16 (slower to encode and parse).
// Tests send CJK and emoji through fire().
const TRACKS: [title: string, artist: string][] = [
  ['Für Elise', 'Ludwig van Beethoven'],
  ['Déjà vu', 'Olivia Rodrigo'],
  ['Clair de lune', 'Claude Debussy'],
  ['Águas de Março', 'Elis Regina'],
  ['Señorita', 'Shawn Mendes'],
  ['Bohemian Rhapsody', 'Queen'],
  ['Hey Jude', 'The Beatles'],
  ['Ça plane pour moi', 'Plastic Bertrand'],
];
const HOME = { latitude: 52.3731, longitude: 4.8922 };

function sensorAttrs(kind: Kind, friendlyName: string): Attrs {
  const spec = KINDS[kind];
  if (spec.domain === 'sensor') {
    return {
      state_class: spec.stateClass,
      unit_of_measurement: spec.unit,
      device_class: spec.deviceClass,
      friendly_name: friendlyName,
    };
  }
  return { device_class: spec.deviceClass, friendly_name: friendlyName };
}

function lightAttrs(m: Model, on: boolean, brightness: number, kelvin: number): Attrs {
  return {
    min_color_temp_kelvin: 2202,
    max_color_temp_kelvin: 6535,
    min_mireds: 153,
    max_mireds: 454,
    supported_color_modes: ['color_temp'],
    color_mode: on ? 'color_temp' : null,
    brightness: on ? brightness : null,
    color_temp_kelvin: on ? kelvin : null,
    color_temp: on ? Math.round(1_000_000 / kelvin) : null,
    friendly_name: m.friendlyName,
    supported_features: 40,
  };
}

function climateAttrs(m: Model): Attrs {
  const heating = m.state === 'heat' && m.value < m.target - 0.2;
  return {
    hvac_modes: ['off', 'heat', 'cool', 'heat_cool'],
    min_temp: 7,
    max_temp: 35,
    target_temp_step: 0.5,
    current_temperature: Math.round(m.value * 10) / 10,
    temperature: m.state === 'off' ? null : m.target,
    hvac_action: m.state === 'off' ? 'off' : heating ? 'heating' : 'idle',
    friendly_name: m.friendlyName,
    supported_features: 387,
  };
}

function mediaAttrs(m: Model, random: Random, nowIso: string): Attrs {
  const base = { device_class: 'speaker', friendly_name: m.friendlyName, supported_features: 4127295 };
  if (m.state === 'off') return base;
  const [title, artist] = random.pick(TRACKS);
  return {
    volume_level: Math.round(m.value * 100) / 100,
    is_volume_muted: false,
    media_content_type: 'music',
    media_duration: random.int(120, 360),
    media_position: 0,
    media_position_updated_at: nowIso,
    media_title: title,
    media_artist: artist,
    ...base,
  };
}

function trackerAttrs(m: Model, random: Random): Attrs {
  const away = m.state === 'not_home';
  return {
    source_type: 'gps',
    battery_level: random.int(20, 100),
    latitude: Math.round((HOME.latitude + (away ? (random.next() - 0.5) * 0.2 : 0)) * 1e6) / 1e6,
    longitude: Math.round((HOME.longitude + (away ? (random.next() - 0.5) * 0.3 : 0)) * 1e6) / 1e6,
    gps_accuracy: random.int(5, 40),
    friendly_name: m.friendlyName,
  };
}

/** A new model with its initial state. */
export function initialModel(kind: Kind, friendlyName: string, random: Random, nowIso: string): Model {
  const spec = KINDS[kind];
  const m: Model = { kind, friendlyName, value: 0, target: 21, attrs: {}, state: '' };
  if (spec.numeric) {
    const [lo, hi] = spec.numeric.initial;
    m.value = lo + random.next() * (hi - lo);
    m.state = formatNumber(m.value, spec.numeric.decimals);
    m.attrs = sensorAttrs(kind, friendlyName);
    return m;
  }
  switch (spec.domain) {
    case 'binary_sensor':
      m.state = random.chance(0.2) ? 'on' : 'off';
      m.attrs = sensorAttrs(kind, friendlyName);
      break;
    case 'switch':
      m.state = random.chance(0.5) ? 'on' : 'off';
      m.attrs = sensorAttrs(kind, friendlyName);
      break;
    case 'light':
      m.state = random.chance(0.4) ? 'on' : 'off';
      m.value = random.int(30, 255);
      m.target = random.pick([2200, 2700, 3000, 4000]);
      m.attrs = lightAttrs(m, m.state === 'on', m.value, m.target);
      break;
    case 'climate':
      m.state = 'heat';
      m.value = 19 + random.next() * 3;
      m.target = random.pick([19, 20, 20.5, 21, 21.5]);
      m.attrs = climateAttrs(m);
      break;
    case 'media_player':
      m.state = random.pick(['off', 'idle', 'playing', 'paused']);
      m.value = random.int(10, 60) / 100;
      m.attrs = mediaAttrs(m, random, nowIso);
      break;
    default:
      m.state = random.chance(0.7) ? 'home' : 'not_home';
      m.attrs = trackerAttrs(m, random);
  }
  return m;
}

/** Moves the model one step; returns false when nothing changed (HA then only moves last_reported). */
export function stepModel(m: Model, random: Random, clock: SimClock): boolean {
  const spec = KINDS[m.kind];
  const before = m.state;
  if (spec.numeric) {
    if (m.kind === 'energy') {
      // total_increasing: grows, and now and then the meter resets to zero (HA starts a new cycle).
      m.value = random.chance(0.0005) ? 0 : m.value + random.next() * spec.numeric.step * 5;
    } else if (m.kind === 'battery') {
      m.value = random.chance(0.02) ? 100 : Math.max(0, m.value - random.int(0, 1));
    } else {
      m.value = walk(m.value, spec.numeric, random);
    }
    m.state = formatNumber(m.value, spec.numeric.decimals);
    return m.state !== before;
  }
  switch (spec.domain) {
    case 'binary_sensor':
    case 'switch':
      m.state = before === 'on' ? 'off' : 'on';
      return true;
    case 'light':
      if (before === 'off' || random.chance(0.3)) m.state = before === 'on' ? 'off' : 'on';
      else if (random.chance(0.7)) m.value = random.int(1, 255);
      else m.target = random.pick([2200, 2700, 3000, 4000, 5000, 6500]);
      m.attrs = lightAttrs(m, m.state === 'on', m.value, m.target);
      return true;
    case 'climate': {
      const roll = random.next();
      if (roll < 0.05) m.state = before === 'off' ? 'heat' : 'off';
      else if (roll < 0.2) m.target = random.pick([18, 19, 20, 20.5, 21, 21.5, 22]);
      else m.value += (random.next() - 0.5) * 0.4;
      const attrs = climateAttrs(m);
      const changed = m.state !== before || JSON.stringify(attrs) !== JSON.stringify(m.attrs);
      m.attrs = attrs;
      return changed;
    }
    case 'media_player': {
      const next: Record<string, string[]> = {
        off: ['idle'],
        idle: ['playing', 'off'],
        playing: ['paused', 'playing', 'playing'],
        paused: ['playing', 'idle'],
      };
      m.state = random.pick(next[before] ?? ['off']);
      if (random.chance(0.2)) m.value = random.int(5, 80) / 100;
      m.attrs = mediaAttrs(m, random, isoFromMicros(clock.peekMicros()));
      return true;
    }
    default:
      if (random.chance(0.4)) m.state = before === 'home' ? 'not_home' : 'home';
      else if (before === 'home') return false; // a GPS fix at home: re-reported unchanged
      m.attrs = trackerAttrs(m, random);
      return true;
  }
}

/** The attributes an entity keeps while `unavailable` (HA drops the live ones, keeps the static ones). */
export function unavailableAttrs(m: Model): Attrs {
  const keep: Attrs = {};
  for (const key of ['state_class', 'unit_of_measurement', 'device_class', 'friendly_name', 'supported_features']) {
    if (m.attrs[key] !== undefined) keep[key] = m.attrs[key];
  }
  keep.friendly_name = m.friendlyName;
  return keep;
}
