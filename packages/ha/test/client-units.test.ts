import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay, DEFAULT_BACKOFF, messages, safeUrl, websocketUrl } from '../src/client';

describe('backoffDelay', () => {
  test('grows exponentially, is capped, and stays within its jitter band', () => {
    const opts = { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.5 };
    for (let attempt = 0; attempt < 40; attempt++) {
      const step = Math.min(5000, 100 * 2 ** attempt);
      for (const r of [0, 0.25, 0.5, 0.999999]) {
        const d = backoffDelay(attempt, opts, () => r);
        assert.ok(d <= step, `attempt ${attempt}: ${d} > ${step}`);
        assert.ok(d >= step * 0.5 - 1, `attempt ${attempt}: ${d} < ${step * 0.5}`);
      }
    }
    assert.equal(
      backoffDelay(0, opts, () => 0),
      100,
    );
    assert.equal(
      backoffDelay(3, opts, () => 0),
      800,
    );
    assert.equal(
      backoffDelay(1000, opts, () => 0),
      5000,
    );
  });

  test('jitter actually spreads clients out', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) seen.add(backoffDelay(5, DEFAULT_BACKOFF));
    assert.ok(seen.size > 10, `only ${seen.size} distinct delays`);
  });
});

describe('websocketUrl', () => {
  const cases: Array<[string, string]> = [
    ['http://homeassistant.local:8123', 'ws://homeassistant.local:8123/api/websocket'],
    ['http://homeassistant.local:8123/', 'ws://homeassistant.local:8123/api/websocket'],
    ['https://ha.example.org', 'wss://ha.example.org/api/websocket'],
    ['ws://10.0.0.2:8123/api/websocket', 'ws://10.0.0.2:8123/api/websocket'],
    ['wss://ha.example.org/api/websocket/', 'wss://ha.example.org/api/websocket'],
    ['https://proxy.example.org/ha', 'wss://proxy.example.org/ha/api/websocket'],
    ['ws://supervisor/core/websocket', 'ws://supervisor/core/websocket'],
    ['http://supervisor/core', 'ws://supervisor/core/api/websocket'],
  ];
  for (const [input, expected] of cases) {
    test(`${input} -> ${expected}`, () => assert.equal(websocketUrl(input), expected));
  }

  test('rejects what is not an http(s)/ws(s) URL, naming HA_URL', () => {
    assert.throws(() => websocketUrl('ftp://x'), /HA_URL/);
    assert.throws(() => websocketUrl('homeassistant:8123 nope'), /HA_URL/);
  });

  test('safeUrl drops credentials and query', () => {
    assert.equal(safeUrl('ws://user:pw@h:1/api/websocket?token=abc'), 'ws://h:1/api/websocket');
  });
});

describe('message builders', () => {
  test('history asks for every change with attributes', () => {
    const m = messages.historyDuringPeriod({ entityIds: ['sensor.a'], startTime: '2025-01-10T00:00:00.000000+00:00' });
    assert.deepEqual(m, {
      type: 'history/history_during_period',
      start_time: '2025-01-10T00:00:00.000000+00:00',
      entity_ids: ['sensor.a'],
      include_start_time_state: false,
      significant_changes_only: false,
      minimal_response: false,
      no_attributes: false,
    });
  });

  test('coalescing is requested by default', () => {
    assert.deepEqual(messages.supportedFeatures(), { type: 'supported_features', features: { coalesce_messages: 1 } });
  });
});
