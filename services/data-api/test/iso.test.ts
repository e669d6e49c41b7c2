import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoFromMicros, type StateEvent, toEventJson } from '@homeiq/storage';
import { eventJson, isoMicros } from '../src/iso';
import { fixtureEvents } from './fixtures';

test('isoMicros writes exactly what isoFromMicros writes', () => {
  const edges = [0, 1, 999_999, 1_000_000, 86_399_999_999, 86_400_000_000, 951_782_400_000_000, 1_709_251_199_999_999];
  let x = 12345;
  const random = Array.from({ length: 20_000 }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return Math.floor((x / 2147483648) * 4_102_444_800_000_000); // 1970..2100
  });
  for (const us of [...edges, ...random]) assert.equal(isoMicros(us), isoFromMicros(us), String(us));
});

test('eventJson equals toEventJson (removals, last_changed != last_updated, hostile strings)', () => {
  const events: StateEvent[] = fixtureEvents();
  assert.ok(events.some((e) => e.removed) && events.some((e) => e.lastChanged !== e.time));
  for (const e of events) assert.deepEqual(eventJson(e), toEventJson(e));
});
