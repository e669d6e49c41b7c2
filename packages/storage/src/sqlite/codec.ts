// Compact encodings of the events table's columns. Every encoding round-trips its input exactly:
// what does not fit the compact form is stored as it came (text).

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < CROCKFORD.length; i++) DECODE[CROCKFORD.charCodeAt(i)] = i;

/**
 * A ULID as Home Assistant writes it (26 uppercase Crockford base32 chars, first char 0-7 so it fits 128 bits)
 * -> 16 bytes; undefined for anything else (lowercase, other alphabets, wrong length), which stays text.
 */
export function ulidToBytes(s: string): Buffer | undefined {
  if (s.length !== 26) return undefined;
  const first = s.charCodeAt(0);
  if (first < 48 || first > 55) return undefined; // '0'..'7'
  const out = Buffer.allocUnsafe(16);
  // 26 chars * 5 bits = 130 bits; the top 2 are zero (checked above). Fill from the end, 8 bits at a time.
  let acc = 0;
  let bits = 0;
  let pos = 15;
  for (let i = 25; i >= 0; i--) {
    const code = s.charCodeAt(i);
    const v = code < 128 ? DECODE[code]! : -1;
    if (v < 0) return undefined;
    acc |= v << bits;
    bits += 5;
    if (bits >= 8) {
      if (pos >= 0) out[pos--] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (pos >= 0) out[pos] = acc & 0xff;
  return out;
}

/** 16 bytes -> the ULID text. */
export function bytesToUlid(b: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 15; i >= 0; i--) {
    acc |= b[i]! << bits;
    bits += 8;
    while (bits >= 5) {
      out = CROCKFORD[acc & 31] + out;
      acc >>>= 5;
      bits -= 5;
    }
  }
  return CROCKFORD[acc & 31] + out; // the remaining top 3 bits
}

/** The millisecond timestamp in a ULID's first 6 bytes. */
export function ulidMillis(b: Uint8Array): number {
  return b[0]! * 2 ** 40 + b[1]! * 2 ** 32 + ((b[2]! << 24) >>> 0) + (b[3]! << 16) + (b[4]! << 8) + b[5]!;
}

/**
 * A context id column value: a ULID whose timestamp is near the event's becomes its 10 random bytes plus a
 * small millisecond delta (usually 0, which SQLite stores in no bytes at all); other ULIDs become 16 bytes;
 * anything else stays text. Returns [value, delta].
 */
export function encodeContext(id: string | null, eventMs: number): [Buffer | string | null, number] {
  if (id === null) return [null, 0];
  const b = ulidToBytes(id);
  if (!b) return [id, 0];
  const delta = eventMs - ulidMillis(b);
  if (delta >= 0 && delta < 2 ** 31) return [b.subarray(6), delta];
  return [b, 0];
}

export function decodeContext(v: unknown, delta: number, eventMs: number): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  const b = v as Buffer;
  if (b.length === 16) return bytesToUlid(b);
  const full = Buffer.allocUnsafe(16);
  const ms = eventMs - delta;
  full.writeUIntBE(ms, 0, 6);
  b.copy(full, 6);
  return bytesToUlid(full);
}

const HEX32 = /^[0-9a-f]{32}$/;

/** Home Assistant user ids are 32 lowercase hex chars: 16 bytes; anything else stays text. */
export function encodeUserId(id: string | null): Buffer | string | null {
  if (id === null) return null;
  return HEX32.test(id) ? Buffer.from(id, 'hex') : id;
}

export function decodeUserId(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : (v as Buffer).toString('hex');
}

/**
 * origin: LOCAL -> 0 and REMOTE -> 1 (SQLite stores 0 and 1 in no bytes), other text as is. BigInt so the
 * untyped column stores an INTEGER, not a REAL.
 */
export function encodeOrigin(o: string | null): bigint | string | null {
  return o === 'LOCAL' ? 0n : o === 'REMOTE' ? 1n : o;
}

export function decodeOrigin(v: unknown): string | null {
  if (v === 0 || v === 0n) return 'LOCAL';
  if (v === 1 || v === 1n) return 'REMOTE';
  return (v as string | null) ?? null;
}

/** 53-bit string hash (cyrb53): the attribute-set lookup key; equal text is confirmed on every hit. */
export function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
