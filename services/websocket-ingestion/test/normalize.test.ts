import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { microsFromIso } from '@homeiq/storage';
import { createEntityFilter, readFilterFile } from '../src/filter';
import { haTimeMicros } from '../src/ha-time';
import { decodeRecord, encodeEvents } from '../src/ingestor';
import { MalformedEventError, Normalizer } from '../src/normalize';

const all = createEntityFilter({ includeDomains: [], includeEntities: [], excludeDomains: [], excludeEntities: [] });
const placements = {
  placement: (id: string) =>
    id === 'sensor.kitchen_temperature' ? { areaId: 'kitchen', deviceId: 'dev1' } : { areaId: null, deviceId: null },
};

const state = (
  s: string,
  lu: string,
  lc = lu,
  attributes: Record<string, unknown> = { unit_of_measurement: '°C' },
) => ({
  entity_id: 'sensor.kitchen_temperature',
  state: s,
  attributes,
  last_changed: lc,
  last_reported: lu,
  last_updated: lu,
  context: { id: '01JH8ZK7Q2V3J1M8W4X6Y9Z0AB', parent_id: null, user_id: 'u1' },
});

const event = (data: unknown) => ({
  event_type: 'state_changed',
  data,
  origin: 'LOCAL',
  time_fired: '2025-01-10T10:00:00.654321+00:00',
  context: { id: '01JH9AAAAAAAAAAAAAAAAAAAAA', parent_id: null, user_id: null },
});

describe('haTimeMicros', () => {
  const cases = [
    '2025-01-10T09:59:00.123456+00:00',
    '2025-01-10T09:59:59.999999+00:00',
    '2024-02-29T23:59:01.000001+00:00',
    '2025-01-10T09:59:00+00:00',
    '2025-01-10T10:59:00.5+01:00',
    '2025-01-10T09:59:00.123Z',
  ];
  for (const c of cases) test(c, () => assert.equal(haTimeMicros(c), microsFromIso(c)));
  test('rejects garbage in the fast path', () => {
    assert.equal(haTimeMicros('2025-01-10T09:59:0x.123456+00:00'), undefined);
    assert.equal(haTimeMicros('2025-01-10T09:59:00.12345x+00:00'), undefined);
    assert.equal(haTimeMicros('2025-13-10T09:59:00.123456+00:00'), undefined);
    assert.equal(haTimeMicros('yesterday'), undefined);
  });
});

describe('Normalizer.stateChanged', () => {
  const n = new Normalizer(all, placements);

  test('a change: time = last_updated, old state and duration from old_state, placement, context', () => {
    const e = n.stateChanged(
      event({
        entity_id: 'sensor.kitchen_temperature',
        old_state: state('21.4', '2025-01-10T09:59:00.123456+00:00'),
        new_state: state('21.5', '2025-01-10T10:00:00.654321+00:00'),
      }),
    )!;
    assert.equal(e.time, microsFromIso('2025-01-10T10:00:00.654321+00:00'));
    assert.equal(e.lastChanged, e.time);
    assert.equal(e.state, '21.5');
    assert.equal(e.removed, false);
    assert.equal(e.oldState, '21.4');
    assert.equal(e.durationInStateSeconds, 60.530865);
    assert.deepEqual([e.areaId, e.deviceId], ['kitchen', 'dev1']);
    assert.deepEqual([e.contextId, e.contextUserId, e.origin], ['01JH8ZK7Q2V3J1M8W4X6Y9Z0AB', 'u1', 'LOCAL']);
    assert.deepEqual(e.attributes, { unit_of_measurement: '°C' });
  });

  test('an attribute-only update keeps last_changed', () => {
    const e = n.stateChanged(
      event({
        entity_id: 'sensor.kitchen_temperature',
        old_state: null,
        new_state: state('21.5', '2025-01-10T10:00:00.654321+00:00', '2025-01-10T09:00:00.000000+00:00'),
      }),
    )!;
    assert.equal(e.lastChanged, microsFromIso('2025-01-10T09:00:00.000000+00:00'));
    assert.equal(e.oldState, null);
    assert.equal(e.durationInStateSeconds, null);
  });

  test('a removal: time_fired, state "", removed', () => {
    const e = n.stateChanged(
      event({
        entity_id: 'light.x',
        old_state: { ...state('on', '2025-01-10T09:00:00.000000+00:00'), entity_id: 'light.x' },
        new_state: null,
      }),
    )!;
    assert.equal(e.time, microsFromIso('2025-01-10T10:00:00.654321+00:00'));
    assert.equal(e.state, '');
    assert.equal(e.removed, true);
    assert.equal(e.oldState, 'on');
    assert.equal(e.contextId, '01JH9AAAAAAAAAAAAAAAAAAAAA');
  });

  const bad: Array<[string, unknown, string | null, RegExp]> = [
    ['not an object', 42, null, /event: must be an object/],
    ['no data', { event_type: 'state_changed' }, null, /event.data/],
    ['bad entity id', event({ entity_id: 'nodot' }), null, /entity_id/],
    ['state not a string', event({ entity_id: 'sensor.a', new_state: { state: 5 } }), 'sensor.a', /new_state.state/],
    [
      'bad time',
      event({ entity_id: 'sensor.a', new_state: { state: '1', last_updated: 'soon' } }),
      'sensor.a',
      /last_updated/,
    ],
    [
      'attributes not an object',
      event({
        entity_id: 'sensor.a',
        new_state: { ...state('1', '2025-01-10T10:00:00.654321+00:00'), attributes: [] },
      }),
      'sensor.a',
      /attributes/,
    ],
  ];
  for (const [name, input, entityId, message] of bad) {
    test(`malformed: ${name} -> error naming the field and entity`, () => {
      assert.throws(
        () => n.stateChanged(input),
        (e: unknown) => e instanceof MalformedEventError && e.entityId === entityId && message.test(e.message),
      );
    });
  }

  test('history rows: epoch seconds, removals as state "", old state from the previous row', () => {
    const a = n.historyRow('sensor.kitchen_temperature', { s: '20', a: { x: 1 }, lu: 1736503140.123456 }, undefined);
    const b = n.historyRow('sensor.kitchen_temperature', { s: '', a: {}, lu: 1736503200.5 }, a);
    assert.equal(a.time, 1736503140123456);
    assert.equal(a.origin, null);
    assert.equal(b.removed, true);
    assert.equal(b.oldState, '20');
    assert.equal(b.durationInStateSeconds, 60.376544);
  });
});

describe('entity filter', () => {
  const f = createEntityFilter({
    includeDomains: ['sensor', 'light'],
    includeEntities: ['switch.keep_me', 'binary_sensor.door_*'],
    excludeDomains: ['light'],
    excludeEntities: ['sensor.*_rssi', 'sensor.noisy'],
  });
  const cases: Array<[string, boolean]> = [
    ['sensor.kitchen_temperature', true],
    ['sensor.wifi_rssi', false],
    ['sensor.noisy', false],
    ['light.kitchen', false],
    ['switch.keep_me', true],
    ['switch.other', false],
    ['binary_sensor.door_front', true],
    ['binary_sensor.window', false],
  ];
  for (const [id, want] of cases) test(`${id} -> ${want}`, () => assert.equal(f.accepts(id), want));

  test('no rules: everything passes', () => assert.equal(all.accepts('anything.at_all'), true));

  test('filter file: merged shape, every problem named', () => {
    const dir = tempDir();
    try {
      const good = join(dir.path, 'good.json');
      writeFileSync(good, JSON.stringify({ include: { domains: ['sensor'] }, exclude: { entities: ['sensor.x*'] } }));
      assert.deepEqual(readFilterFile(good), {
        includeDomains: ['sensor'],
        includeEntities: [],
        excludeDomains: [],
        excludeEntities: ['sensor.x*'],
      });
      const badFile = join(dir.path, 'bad.json');
      writeFileSync(
        badFile,
        JSON.stringify({ include: { domain: ['x'] }, exclude: { entities: 'sensor.x' }, other: 1 }),
      );
      assert.throws(
        () => readFilterFile(badFile),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.problems.length === 3 &&
          /unknown key "other"/.test(e.message) &&
          /include.domain/.test(e.message) &&
          /exclude.entities must be an array/.test(e.message),
      );
    } finally {
      dir.remove();
    }
  });
});

describe('spool records', () => {
  const n = new Normalizer(all, placements, false);
  const change = event({
    entity_id: 'sensor.kitchen_temperature',
    old_state: null,
    new_state: state('21.5', '2025-01-10T10:00:00.654321+00:00'),
  });

  test('a raw HA frame decodes to the events the live path made (array or bare, state_changed only)', () => {
    const live = n.stateChanged(change)!;
    const frame = [
      { id: 2, type: 'event', event: change },
      { id: 3, type: 'event', event: { event_type: 'entity_registry_updated', data: { action: 'update' } } },
      { id: 9, type: 'result', success: true, result: null },
    ];
    assert.deepEqual(decodeRecord(n, Buffer.from(JSON.stringify(frame))), [live]);
    assert.deepEqual(decodeRecord(n, Buffer.from(JSON.stringify(frame[0]))), [live]);
  });

  test('events encoded by HomeIQ (backfill) come back unchanged, not read as an HA frame', () => {
    const events = [
      n.historyRow('sensor.kitchen_temperature', { s: '20', a: { x: '✓' }, lu: 1736503140.123456 }, undefined),
    ];
    assert.deepEqual(decodeRecord(n, Buffer.from(encodeEvents(events))), events);
  });
});
