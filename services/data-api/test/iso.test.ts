import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoFromMicros, microsFromIso } from '@homeiq/storage';

/** The plain formulation the fast formatter must match: Date's ISO text plus the sub-millisecond digits. */
function reference(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(us - ms * 1000).padStart(3, '0')}+00:00`;
}

test('isoFromMicros writes exactly what the plain formulation writes, and parses back', () => {
  const edges = [0, 1, 999_999, 1_000_000, 86_399_999_999, 86_400_000_000, 951_782_400_000_000, 1_709_251_199_999_999];
  let x = 12345;
  const random = Array.from({ length: 20_000 }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return Math.floor((x / 2147483648) * 4_102_444_800_000_000); // 1970..2100
  });
  for (const us of [...edges, ...random]) {
    assert.equal(isoFromMicros(us), reference(us), String(us));
    assert.equal(microsFromIso(isoFromMicros(us)), us, String(us));
  }
});
