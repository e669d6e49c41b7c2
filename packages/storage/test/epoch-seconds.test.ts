// HA's history sends time.time() doubles; its live events carry the same instant as Python's ISO text. Both must give
// one identity, so the conversion is checked against Python's rule, implemented here on its own with exact integers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoFromMicros, microsFromEpochSeconds, microsFromIso } from '../src/event-json';

/** Real values with what CPython 3.11 `datetime.fromtimestamp(t, timezone.utc).isoformat()` printed for them. */
const PYTHON_TABLE: [number, string][] = [
  [1733312345.1234565, '2024-12-04T11:39:05.123456+00:00'],
  [1733312345.4999995, '2024-12-04T11:39:05.500000+00:00'],
  [1733312345.0000005, '2024-12-04T11:39:05+00:00'],
  [1733312345.0000014, '2024-12-04T11:39:05.000001+00:00'],
  [1577836800.0000024, '2020-01-01T00:00:00.000002+00:00'],
  [2208988799.9999995, '2040-01-01T00:00:00+00:00'],
  [1796398821.5778484, '2026-12-04T15:40:21.577848+00:00'],
  [1796398821.5782952, '2026-12-04T15:40:21.578295+00:00'],
  [1796398821.5786984, '2026-12-04T15:40:21.578698+00:00'],
  [1796398821.5790997, '2026-12-04T15:40:21.579100+00:00'],
  [1796398821.5795116, '2026-12-04T15:40:21.579512+00:00'],
  [1796398821.5799174, '2026-12-04T15:40:21.579917+00:00'],
  [1796398821.5803125, '2026-12-04T15:40:21.580312+00:00'],
  [1796398821.580718, '2026-12-04T15:40:21.580718+00:00'],
  // Values where Math.round(t * 1e6) is 1 µs late.
  [1718734518.9896464, '2024-06-18T18:15:18.989646+00:00'],
  [1973842533.1877325, '2032-07-19T09:35:33.187732+00:00'],
  [1668883684.3712134, '2022-11-19T18:48:04.371213+00:00'],
  [2079210998.5218835, '2035-11-20T22:36:38.521883+00:00'],
  [2019008534.8372865, '2033-12-24T03:42:14.837286+00:00'],
  [2055707811.9769664, '2035-02-21T21:56:51.976966+00:00'],
];

/** A non-negative double rounded to an integer, half to even, with exact integer arithmetic on its bits. */
function roundHalfEvenExact(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent = -1074;
  if (exponentBits !== 0) {
    mantissa |= 1n << 52n;
    exponent = exponentBits - 1075;
  }
  if (exponent >= 0) return mantissa << BigInt(exponent);
  const denominator = 1n << BigInt(-exponent);
  const quotient = mantissa / denominator;
  const twiceRemainder = 2n * (mantissa % denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

/** Python: s = floor(t); us = s * 1e6 + round_half_even((t - s) * 1e6), the float steps in doubles. */
function pythonMicros(t: number): number {
  const s = Math.floor(t);
  return Number(BigInt(s) * 1_000_000n + roundHalfEvenExact((t - s) * 1e6));
}

test('the table of real values converts as Python printed them', () => {
  for (const [t, iso] of PYTHON_TABLE) {
    const expected = microsFromIso(iso);
    assert.equal(microsFromEpochSeconds(t), expected, `${t} -> ${iso}`);
    assert.equal(pythonMicros(t), expected, `the test's own rule on ${t}`);
  }
  assert.equal(isoFromMicros(microsFromEpochSeconds(1733312345.1234565)), '2024-12-04T11:39:05.123456+00:00');
  assert.equal(isoFromMicros(microsFromEpochSeconds(1733312345.4999995)), '2024-12-04T11:39:05.500000+00:00');
});

test('1,000,000 random doubles in 2020-2040 give the microseconds of the Python rule', () => {
  const from = Date.UTC(2020, 0, 1) / 1000;
  const to = Date.UTC(2040, 0, 1) / 1000;
  let naiveWrong = 0;
  for (let i = 0; i < 1_000_000; i++) {
    // Every other value is snapped near a half microsecond, where the rounding rules differ.
    let t = from + Math.random() * (to - from);
    if (i % 2 === 1) t = (Math.floor(t * 1e6) + 0.5) / 1e6;
    const expected = pythonMicros(t);
    const got = microsFromEpochSeconds(t);
    if (got !== expected) assert.fail(`${t}: got ${got}, Python gives ${expected}`);
    if (Math.round(t * 1e6) !== expected) naiveWrong++;
  }
  // The naive rule is wrong often enough that this test would catch it.
  assert.ok(naiveWrong > 50_000, `Math.round differed ${naiveWrong} times`);
});
