// The per-event limits, table-driven: sizes measured without serializing (checked against JSON.stringify), depth,
// cutting at character boundaries, entity ids refused, and the Normalizer applying it all to live events.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  invalidEntityId,
  MAX_ENTITY_ID_LENGTH,
  measureJson,
  TRUNCATED_MARKER,
  truncateUtf8,
  utf8Bytes,
} from '../src/event-limits';
import type { EntityFilter } from '../src/filter';
import { MalformedEventError, NO_PLACEMENT, Normalizer } from '../src/normalize';

describe('event limits', () => {
  test('utf8Bytes equals Buffer.byteLength', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀é€\u0000', 'x'.repeat(1000)]) {
      assert.equal(utf8Bytes(s), Buffer.byteLength(s), JSON.stringify(s));
    }
  });

  test('measureJson is close to the serialized size and never far below it', () => {
    const values = [
      { friendly_name: 'Kitchen', unit_of_measurement: '°C', state_class: 'measurement' },
      { list: [1, 2, 3, -40, 1.25, 1e21, null, true, false], nested: { a: { b: 'c' } } },
      { forecast: Array.from({ length: 48 }, (_, i) => ({ t: `2026-01-01T${i % 24}:00`, v: i * 1.5 })) },
      { unicode: '日本語 😀'.repeat(50) },
    ];
    for (const v of values) {
      const real = Buffer.byteLength(JSON.stringify(v));
      const m = measureJson(v, 32);
      assert.equal(m.tooDeep, false);
      assert.ok(m.bytes >= real * 0.8 && m.bytes <= real * 1.5, `${m.bytes} vs ${real}`);
    }
  });

  test('depth: at the limit is fine, one more is too deep, any depth is measured without overflow', () => {
    const nest = (n: number) => {
      let v: unknown = 1;
      for (let i = 0; i < n; i++) v = { a: v };
      return v;
    };
    assert.equal(measureJson(nest(32), 32).tooDeep, false);
    assert.equal(measureJson(nest(33), 32).tooDeep, true);
    const deep = measureJson(nest(100_000), 32);
    assert.equal(deep.tooDeep, true);
    assert.ok(deep.bytes >= 100_000 * 6, String(deep.bytes));
  });

  test('truncateUtf8 never cuts inside a character', () => {
    const cases: Array<[string, number, string]> = [
      ['abcdef', 3, 'abc'],
      ['éé', 3, 'é'],
      ['a😀b', 4, 'a'],
      ['a😀b', 5, 'a😀'],
      ['short', 100, 'short'],
    ];
    for (const [s, max, want] of cases) assert.equal(truncateUtf8(s, max), want, `${s} ${max}`);
  });

  test('entity ids: over 255 characters or with a control character are refused, with the reason', () => {
    assert.equal(invalidEntityId(`sensor.${'a'.repeat(MAX_ENTITY_ID_LENGTH - 7)}`), undefined);
    assert.match(invalidEntityId(`sensor.${'a'.repeat(MAX_ENTITY_ID_LENGTH)}`) ?? '', /longer than 255/);
    for (const c of ['\u0000', '\u0007', '\n', '\u001f', '\u007f']) {
      assert.match(invalidEntityId(`sensor.a${c}b`) ?? '', /control character/);
    }
    assert.equal(invalidEntityId('sensor.température_日本'), undefined);
  });
});

describe('Normalizer with limits', () => {
  const all: EntityFilter = { accepts: () => true } as unknown as EntityFilter;
  const placements = { placement: () => NO_PLACEMENT };
  const limits = { maxStateBytes: 300, maxAttributesBytes: 1024, maxAttributesDepth: 4 };
  const at = '2026-01-01T00:00:00.000001+00:00';
  const event = (entityId: string, state: string, attributes: unknown) => ({
    data: {
      entity_id: entityId,
      old_state: null,
      new_state: { entity_id: entityId, state, attributes, last_changed: at, last_updated: at },
    },
    time_fired: at,
  });

  test('within the limits: the parsed attributes object itself is kept (no copy)', () => {
    const n = new Normalizer(all, placements, false, limits);
    const attrs = { friendly_name: 'x' };
    assert.equal(n.stateChanged(event('sensor.a', '1', attrs))?.attributes, attrs);
    assert.deepEqual(n.truncated, { attributes: 0, states: 0 });
  });

  test('too large, too deep, too long: kept with markers and counted; not counted again on replay', () => {
    const n = new Normalizer(all, placements, false, limits);
    const big = n.stateChanged(event('sensor.big', 'on', { blob: 'x'.repeat(5000) }))!;
    assert.equal(big.state, 'on');
    assert.equal(big.attributes[TRUNCATED_MARKER], true);
    assert.ok(Number(big.attributes.original_bytes) >= 5000);
    const deep = n.stateChanged(event('sensor.deep', 'on', { a: { b: { c: { d: { e: 1 } } } } }))!;
    assert.match(String(deep.attributes.reason), /deeper than 4/);
    const long = n.stateChanged(event('sensor.long', 'é'.repeat(400), { unit: 'x' }))!;
    assert.equal(long.state, 'é'.repeat(150));
    assert.deepEqual(long.attributes, { unit: 'x', _homeiq_state_truncated: true, state_original_bytes: 800 });
    assert.deepEqual(n.truncated, { attributes: 2, states: 1 });
    n.stateChanged(event('sensor.big', 'on', { blob: 'x'.repeat(5000) }), false);
    assert.deepEqual(n.truncated, { attributes: 2, states: 1 }, 'a replayed record was counted when it arrived');
  });

  test('a bad entity id is a MalformedEventError naming the problem', () => {
    const n = new Normalizer(all, placements, false, limits);
    assert.throws(
      () => n.stateChanged(event('sensor.a\u0000b', '1', {})),
      (e: unknown) => e instanceof MalformedEventError && /control character/.test(e.message),
    );
    assert.throws(() => n.stateChanged(event(`sensor.${'x'.repeat(100_000)}`, '1', {})), /longer than 255/);
  });
});
