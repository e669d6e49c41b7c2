import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bytesToUlid,
  decodeContext,
  decodeContextHex,
  decodeExtras,
  decodeState,
  encodeContext,
  encodeExtras,
  encodeState,
  hash53,
  originFromCode,
  packFlags,
  ulidMillis,
  ulidToBytes,
  unpackFlags,
} from '../src/sqlite/codec';

describe('ULID <-> 16 bytes', () => {
  test('valid ULIDs round-trip, including the extremes', () => {
    for (const id of [
      '01HQZX3Y4K5M6N7P8Q9RSTVWXY',
      '00000000000000000000000000',
      '7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    ]) {
      const b = ulidToBytes(id);
      assert.ok(b, id);
      assert.equal(b.length, 16);
      assert.equal(bytesToUlid(b), id);
    }
  });

  test('the first 6 bytes are the millisecond time', () => {
    // 01ARZ3NDEK = 1*32^8 + 10*32^7 + 24*32^6 + 31*32^5 + 3*32^4 + 21*32^3 + 13*32^2 + 14*32 + 19
    assert.equal(ulidMillis(ulidToBytes('01ARZ3NDEKTSV4RRFFQ69G5FAV')!), 1469922850259);
  });

  test('anything that would not round-trip exactly stays text', () => {
    for (const id of [
      '01arz3ndektsv4rrffq69g5fav', // lowercase decodes but would come back uppercase
      '8ZZZZZZZZZZZZZZZZZZZZZZZZZ', // more than 128 bits
      '01ARZ3NDEKTSV4RRFFQ69G5FA', // 25 chars
      '01ARZ3NDEKTSV4RRFFQ69G5FAVX',
      '01ARZ3NDEKTSV4RRFFQ69G5FAI', // I, L, O, U are not Crockford digits
      '01ARZ3NDEKTSV4RRFFQ69G5FAÜ',
      'c1e2a6d4b8f04e7a9d3c5b1a2f6e8d90', // HA's older uuid4 hex
      '',
    ]) {
      assert.equal(ulidToBytes(id), undefined, id);
      const [v] = encodeContext(id, 0);
      assert.equal(v, id);
      assert.equal(decodeContext(v, 0, 0), id);
    }
  });

  test('a context near its event keeps 10 bytes and a delta; a later or far one keeps 16', () => {
    const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const ms = 1469922850259;
    for (const [eventMs, len, delta] of [
      [ms, 10, 0],
      [ms + 37, 10, 37],
      [ms - 1, 16, 0],
      [ms + 2 ** 31, 16, 0],
    ] as const) {
      const [v, d] = encodeContext(id, eventMs);
      assert.equal((v as Buffer).length, len);
      assert.equal(d, delta);
      assert.equal(decodeContext(v, d, eventMs), id);
    }
    for (const eventMs of [ms, ms + 37, ms - 1]) {
      const [v, d] = encodeContext(id, eventMs);
      assert.equal(
        decodeContextHex((v as Buffer).toString('hex').toUpperCase(), null, d, eventMs),
        id,
        'as fetched in JSON',
      );
    }
    assert.equal(decodeContextHex(null, 'plain text', 0, ms), 'plain text');
    assert.equal(decodeContextHex(null, null, 0, ms), null);
    assert.deepEqual(encodeContext(null, ms), [null, 0]);
    assert.equal(decodeContext(null, 0, ms), null);
  });
});

describe('states', () => {
  const numeric: Array<[string, bigint, number]> = [
    ['0', 0n, 0],
    ['0.0', 0n, 1],
    ['12345678.1234567', 123456781234567n, 7],
    ['45', 45n, 0],
    ['-3', -3n, 0],
    ['21.4', 214n, 1],
    ['21.40', 2140n, 2],
    ['0.05', 5n, 2],
    ['-0.5', -5n, 1],
    ['1234.5670000', 12345670000n, 7],
    ['123456789012345', 123456789012345n, 0],
    ['-12345678901234.5', -123456789012345n, 1],
  ];
  for (const [text, n, decimals] of numeric) {
    test(`"${text}" is stored as ${n} with ${decimals} decimals and comes back exactly`, () => {
      assert.deepEqual(encodeState(text, false), [n, decimals]);
      assert.equal(decodeState(Number(n), decimals), text);
    });
  }
  for (const text of [
    'on',
    '',
    'unavailable',
    '007',
    '-0',
    '-0.0',
    '1e3',
    '1.',
    '.5',
    '+1',
    ' 1',
    '1.12345678',
    '1234567890123456',
    '0x10',
    'NaN',
    'Infinity',
    '٣',
    '-',
    '-.5',
    '5.',
    '1.2.3',
    '00',
    '01.5',
    '--1',
    '1-',
  ]) {
    test(`"${text}" stays text`, () => {
      assert.deepEqual(encodeState(text, false), [text, 0]);
      assert.equal(decodeState(text, 0), text);
    });
  }
  test('a removal is NULL and reads back as ""', () => {
    assert.deepEqual(encodeState('', true), [null, 0]);
    assert.equal(decodeState(null, 0), '');
  });
});

describe('flags and extras', () => {
  test('the common event packs to 0, which SQLite stores in no bytes', () => {
    assert.equal(packFlags('LOCAL', 0, 0), 0);
    assert.equal(packFlags('REMOTE', 0, 0), 1);
  });

  test('flags round-trip', () => {
    for (const origin of ['LOCAL', 'REMOTE', null, 'SOMETHING']) {
      for (const decimals of [0, 3, 7]) {
        for (const delta of [0, 1, 2 ** 31 - 1]) {
          const f = unpackFlags(packFlags(origin, decimals, delta));
          assert.equal(f.decimals, decimals);
          assert.equal(f.contextDelta, delta);
          assert.equal(originFromCode(f.originCode, origin === 'SOMETHING' ? origin : null), origin);
        }
      }
    }
  });

  test('extras: nothing is NULL; parents, users and odd origins round-trip', () => {
    assert.equal(encodeExtras(null, null, 'LOCAL'), null);
    assert.equal(encodeExtras(null, null, null), null);
    const cases: Array<[string | null, string | null, string | null]> = [
      ['01ARZ3NDEKTSV4RRFFQ69G5FAV', '9f2d7a4c1b3e5f60718293a4b5c6d7e8', 'REMOTE'],
      ['parent "text" ü', 'User-Not-Hex', "'; DROP"],
      [null, '9F2D7A4C1B3E5F60718293A4B5C6D7E8', null],
      ['01ARZ3NDEKTSV4RRFFQ69G5FAV', null, ''],
    ];
    for (const [parent, user, origin] of cases) {
      const x = encodeExtras(parent, user, origin);
      const back = decodeExtras(x);
      assert.equal(back.parent, parent);
      assert.equal(back.user, user);
      if (origin !== 'REMOTE') assert.equal(back.origin, origin);
    }
    assert.equal(encodeExtras('01ARZ3NDEKTSV4RRFFQ69G5FAV', '9f2d7a4c1b3e5f60718293a4b5c6d7e8', null)?.length, 33);
  });
});

test('hash53 is stable and spreads', () => {
  assert.equal(hash53('{"a":1}'), hash53('{"a":1}'));
  const seen = new Set<number>();
  for (let i = 0; i < 10_000; i++) seen.add(hash53(`{"brightness":${i}}`));
  assert.equal(seen.size, 10_000);
  for (const h of seen) assert.ok(Number.isSafeInteger(h) && h >= 0);
});
