// A varied, deterministic day of events: numbers, on/off, rich attributes, removals, attribute-only updates,
// contexts, areas and devices, non-ASCII text. Every event time is distinct.
import type { StateEvent } from '@homeiq/storage';
import { ev, MINUTE, SECOND } from './helpers';

export function sampleEvents(start: number, count: number): StateEvent[] {
  const out: StateEvent[] = [];
  const lastState = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const time = start + i * 37 * SECOND + (i % 7) * 1013;
    const kind = i % 6;
    let e: StateEvent;
    if (kind === 0) {
      e = ev(`sensor.temp_${i % 5}`, time, (18 + ((i * 7) % 90) / 10).toFixed(1), {
        unit_of_measurement: '°C',
        device_class: 'temperature',
        state_class: 'measurement',
        friendly_name: `Température ${i % 5}`,
      });
    } else if (kind === 1) {
      const v = (lastState.get('energy') ?? 1000) + ((i * 13) % 17) / 10;
      lastState.set('energy', v);
      e = ev('sensor.energy', time, v.toFixed(3), { unit_of_measurement: 'kWh', state_class: 'total_increasing' });
    } else if (kind === 2) {
      e = ev(`binary_sensor.motion_${i % 3}`, time, i % 4 === 2 ? 'on' : 'off', { device_class: 'motion' });
    } else if (kind === 3) {
      e = ev('light.living_room', time, i % 2 ? 'on' : 'off', {
        brightness: (i * 11) % 255,
        rgb_color: [i % 255, 128, 3],
        effect_list: ['none', 'rainbow'],
        nested: { a: { b: [1, 2, { c: null }] } },
      });
    } else if (kind === 4) {
      // An attribute-only update: last_changed stays at the last state change.
      e = ev('climate.hall', time, 'heat', { temperature: 21, current_temperature: 19 + (i % 3) });
      e.lastChanged = time - 5 * MINUTE;
    } else {
      e = ev(`sensor.power_${i % 2}`, time, i % 50 === 5 ? 'unavailable' : String((i * 31) % 3000), {
        unit_of_measurement: 'W',
      });
    }
    e.areaId = i % 3 === 0 ? 'living_room' : null;
    e.deviceId = i % 4 === 0 ? `dev_${i % 8}` : null;
    e.contextParentId = i % 9 === 0 ? `01J0000000000000000000PARE` : null;
    e.contextUserId = i % 11 === 0 ? 'f1c2a3b4c5d6e7f8a9b0c1d2e3f4a5b6' : null;
    e.origin = i % 10 === 0 ? 'REMOTE' : i % 13 === 0 ? null : 'LOCAL';
    out.push(e);
  }
  // An entity removed from Home Assistant (new_state null).
  const removedAt = start + count * 37 * SECOND + 5 * SECOND;
  out.push({ ...ev('sensor.old_thing', removedAt - 10 * MINUTE, '5'), areaId: 'attic' });
  out.push({ ...ev('sensor.old_thing', removedAt, ''), removed: true });
  return out;
}
