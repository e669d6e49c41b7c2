// Table-driven tests of the home-assistant layout encoder: the point HA's influxdb integration writes per state.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '@homeiq/core';
import { type HaLayoutConfig, haLayoutSchema } from '../src/ha-layout-config';
import { haLine, haPoint, stateAsNumber } from '../src/influx/ha-layout';
import { pythonFloat, pythonStr } from '../src/influx/python-values';
import { ev, T0 } from './conformance/fixtures';

const defaults = (env: Record<string, string> = {}): HaLayoutConfig =>
  loadConfig(haLayoutSchema, { INFLUXDB_LAYOUT: 'home-assistant', ...env });

describe('Python float() and str() of attribute values', () => {
  const floats: Array<[unknown, number | undefined]> = [
    ['21.5', 21.5],
    [' 7 ', 7],
    ['1_000', 1000],
    ['1e3', 1000],
    ['-inf', Number.NEGATIVE_INFINITY],
    [true, 1],
    [false, 0],
    [3, 3],
    ['', undefined],
    ['21.5 °C', undefined],
    ['0x10', undefined],
    [null, undefined],
    [[1], undefined],
  ];
  for (const [value, expected] of floats) {
    test(`float(${JSON.stringify(value)})`, () => assert.equal(pythonFloat(value), expected));
  }
  const strs: Array<[unknown, string]> = [
    ['text', 'text'],
    [null, 'None'],
    [true, 'True'],
    [['heat', 'cool', 1], "['heat', 'cool', 1]"],
    [{ a: "it's", b: null }, `{'a': "it's", 'b': None}`],
    [1e-7, '1e-07'],
  ];
  for (const [value, expected] of strs) {
    test(`str(${JSON.stringify(value)})`, () => assert.equal(pythonStr(value), expected));
  }
});

describe("HA's state_as_number", () => {
  const cases: Array<[string, number | undefined]> = [
    ['on', 1],
    ['home', 1],
    ['open', 1],
    ['locked', 1],
    ['above_horizon', 1],
    ['off', 0],
    ['not_home', 0],
    ['closed', 0],
    ['unlocked', 0],
    ['below_horizon', 0],
    ['heat', undefined],
    ['21.5', 21.5],
  ];
  for (const [state, expected] of cases) test(state, () => assert.equal(stateAsNumber(state), expected));
});

describe('the HA point of a state', () => {
  const temperature = ev('sensor.living_room_temperature', T0, '21.5', {
    attributes: { unit_of_measurement: '°C', device_class: 'temperature', friendly_name: 'Living room' },
  });

  test('a sensor with a unit: measurement = unit, tags domain and object id, value and attributes', () => {
    assert.deepEqual(haPoint(temperature, defaults()), {
      measurement: '°C',
      tags: { domain: 'sensor', entity_id: 'living_room_temperature' },
      fields: { value: 21.5, device_class_str: 'temperature', friendly_name_str: 'Living room' },
    });
  });

  test('a binary sensor: measurement = entity_id, state string and value 1/0', () => {
    const door = ev('binary_sensor.front_door', T0, 'on', { attributes: { device_class: 'door' } });
    assert.deepEqual(haPoint(door, defaults()), {
      measurement: 'binary_sensor.front_door',
      tags: { domain: 'binary_sensor', entity_id: 'front_door' },
      fields: { state: 'on', value: 1, device_class_str: 'door' },
    });
  });

  test('a text state has no value; attribute names already taken get "_"; digit tails also numeric', () => {
    const climate = ev('climate.hall', T0, 'heat', {
      attributes: { state: 'x', value: 2, hvac_modes: ['heat', 'off'], firmware: 'v2.1', temperature: 21 },
    });
    assert.deepEqual(haPoint(climate, defaults()).fields, {
      state: 'heat',
      state__str: 'x',
      value: 2,
      hvac_modes_str: "['heat', 'off']",
      firmware_str: 'v2.1',
      firmware: 2.1,
      temperature: 21,
    });
  });

  test('options: override, domain__device_class, default measurement, tags, tags_attributes, ignore', () => {
    const override = haPoint(temperature, defaults({ INFLUXDB_HA_OVERRIDE_MEASUREMENT: 'ha' }));
    assert.equal(override.measurement, 'ha');
    assert.equal(override.fields.unit_of_measurement_str, '°C', 'the unit is a field when it does not name it');
    const byClass = haPoint(temperature, defaults({ INFLUXDB_HA_MEASUREMENT_ATTR: 'domain__device_class' }));
    assert.equal(byClass.measurement, 'sensor__temperature');
    assert.equal(byClass.fields.device_class_str, undefined);
    const plain = ev('switch.pump', T0, 'off');
    assert.equal(haPoint(plain, defaults({ INFLUXDB_HA_DEFAULT_MEASUREMENT: 'state' })).measurement, 'state');
    const tagged = haPoint(
      temperature,
      defaults({
        INFLUXDB_HA_TAGS: 'instance=prod,domain=x',
        INFLUXDB_HA_TAGS_ATTRIBUTES: 'friendly_name',
        INFLUXDB_HA_IGNORE_ATTRIBUTES: 'device_class',
      }),
    );
    assert.deepEqual(tagged.tags, {
      domain: 'x',
      entity_id: 'living_room_temperature',
      friendly_name: 'Living room',
      instance: 'prod',
    });
    assert.deepEqual(tagged.fields, { value: 21.5 });
  });

  test('not written: unknown, unavailable, empty states and removals; non-finite numbers left out', () => {
    for (const state of ['unknown', 'unavailable', '']) {
      assert.equal(haLine(ev('sensor.a', T0, state), defaults()), undefined, state);
    }
    assert.equal(haLine(ev('sensor.a', T0, '1', { removed: true }), defaults()), undefined);
    const odd = ev('sensor.a', T0, 'nan', { attributes: { x: 'inf', y: 1 } });
    assert.deepEqual(haPoint(odd, defaults()).fields, { y: 1 });
  });

  test('the line: escaped names, sorted tags and fields, float values, µs time', () => {
    assert.deepEqual(haLine(temperature, defaults()), {
      measurement: '°C',
      line:
        '°C,domain=sensor,entity_id=living_room_temperature ' +
        `device_class_str="temperature",friendly_name_str="Living room",value=21.5 ${T0}`,
    });
    const spaced = ev('sensor.a', T0, '1', { attributes: { unit_of_measurement: 'kW h', 'a,b': 'x y' } });
    assert.equal(haLine(spaced, defaults())?.line, `kW\\ h,domain=sensor,entity_id=a a\\,b_str="x y",value=1 ${T0}`);
  });
});

describe('the layout options are validated, naming the variable', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ INFLUXDB_LAYOUT: 'grafana' }, /INFLUXDB_LAYOUT must be one of homeiq, home-assistant/],
    [{ INFLUXDB_HA_MEASUREMENT_ATTR: 'area' }, /INFLUXDB_HA_MEASUREMENT_ATTR must be one of/],
    [{ INFLUXDB_HA_TAGS: 'instance' }, /INFLUXDB_HA_TAGS must be key=value pairs/],
    [{ INFLUXDB_HA_TAGS: 'a=1,a=2' }, /INFLUXDB_HA_TAGS names "a" twice/],
    [{ INFLUXDB_HA_OVERRIDE_MEASUREMENT: '#x' }, /INFLUXDB_HA_OVERRIDE_MEASUREMENT must not start with "#"/],
    [
      { INFLUXDB_HA_DEFAULT_MEASUREMENT: 'a\\b' },
      /INFLUXDB_HA_DEFAULT_MEASUREMENT "a\\b" must not contain a backslash/,
    ],
  ];
  for (const [env, message] of bad) {
    test(JSON.stringify(env), () => assert.throws(() => loadConfig(haLayoutSchema, env), message));
  }
});
